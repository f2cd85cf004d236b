import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSender, parseRetryAfter, type FetchLike, type SenderOptions } from "./sender.js";
import type { Envelope, WireEntry } from "./types.js";

type Reply = number | { status: number; retryAfter?: string } | Error;

/** A fetch that answers from a script (then 202) and records what was posted and when. */
function scriptedFetch(script: Reply[] = []) {
  const calls: { at: number; envelope: Envelope; init: RequestInit }[] = [];
  const fetch: FetchLike = async (_url, init) => {
    calls.push({ at: Date.now(), envelope: JSON.parse(String(init.body)), init });
    const reply = script.shift() ?? 202;
    if (reply instanceof Error) throw reply;
    const { status, retryAfter } = typeof reply === "number" ? { status: reply, retryAfter: undefined } : reply;
    return {
      status,
      headers: { get: (name: string) => (name.toLowerCase() === "retry-after" ? (retryAfter ?? null) : null) },
    };
  };
  return { fetch, calls };
}

let n = 0;
const entry = (message = `m${n}`): WireEntry => ({
  id: `e${n++}`,
  trace_id: "t1",
  system: "browser",
  level: "log",
  message,
  timestamp: Date.now(),
});

function sender(fetch: FetchLike, overrides: Partial<SenderOptions> = {}) {
  return createSender({
    endpoint: "https://logs.test/log",
    fetch,
    headers: { "Content-Type": "application/json" },
    batchSize: 3,
    flushIntervalMs: 1000,
    maxQueue: 100,
    maxAttempts: 5,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    maxRetryAfterMs: 10_000,
    random: () => 0.5,
    ...overrides,
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_700_000_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("batching", () => {
  it("sends a full batch at once, with sent_at, batch_id and the entries", async () => {
    const { fetch, calls } = scriptedFetch();
    const s = sender(fetch);
    const entries = [entry(), entry(), entry()];
    entries.forEach((e) => s.push(e));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.envelope).toEqual({
      sent_at: 1_700_000_000_000,
      batch_id: expect.stringMatching(/^[a-f0-9]{12}-0$/),
      entries,
    });
    expect(calls[0]!.init).toMatchObject({ method: "POST", headers: { "Content-Type": "application/json" } });
  });

  it("sends a partial batch after flushIntervalMs, not before", async () => {
    const { fetch, calls } = scriptedFetch();
    const s = sender(fetch);
    s.push(entry());
    s.push(entry());
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.envelope.entries).toHaveLength(2);
  });

  it("flush() sends everything in order, in batches, and resolves after delivery", async () => {
    const { fetch, calls } = scriptedFetch();
    const s = sender(fetch, { flushIntervalMs: 0, batchSize: 100 });
    for (let i = 0; i < 7; i++) s.push(entry(`m${i}`));
    await s.flush();
    expect(calls.flatMap((c) => c.envelope.entries.map((e) => e.message))).toEqual([
      "m0",
      "m1",
      "m2",
      "m3",
      "m4",
      "m5",
      "m6",
    ]);
    expect(s.size).toBe(0);
  });

  it("drops the oldest entries beyond maxQueue and reports them in the next batch", async () => {
    const { fetch, calls } = scriptedFetch();
    const s = sender(fetch, { maxQueue: 3, batchSize: 10, flushIntervalMs: 0 });
    for (let i = 0; i < 5; i++) s.push(entry(`m${i}`));
    await s.flush();
    expect(calls[0]!.envelope.entries.map((e) => e.message)).toEqual(["m2", "m3", "m4"]);
    expect(calls[0]!.envelope.client_dropped).toEqual({ queue_full: 2 });
    s.push(entry());
    await s.flush();
    expect(calls[1]!.envelope.client_dropped).toBeUndefined(); // reported once
  });
});

describe("retries", () => {
  it("retries a 503 after Retry-After with the same batch id, and loses nothing", async () => {
    const { fetch, calls } = scriptedFetch([{ status: 503, retryAfter: "3" }]);
    const s = sender(fetch);
    const entries = [entry(), entry(), entry()];
    entries.forEach((e) => s.push(e));
    await vi.advanceTimersByTimeAsync(2999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500); // 3 s plus up to 10 % jitter
    expect(calls).toHaveLength(2);
    expect(calls[1]!.envelope.batch_id).toBe(calls[0]!.envelope.batch_id);
    expect(calls[1]!.envelope.entries).toEqual(entries);
    expect(calls[1]!.envelope.sent_at).toBeGreaterThan(calls[0]!.envelope.sent_at); // restamped per attempt
  });

  it("retries 429, 500 and network errors with growing backoff", async () => {
    const { fetch, calls } = scriptedFetch([new TypeError("Failed to fetch"), 429, 500]);
    const s = sender(fetch, { flushIntervalMs: 0 });
    s.push(entry());
    const done = s.flush();
    await vi.runAllTimersAsync();
    await done;
    expect(calls).toHaveLength(4);
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
    // base 100 ms doubling, equal jitter at random()=0.5: 75, 150, 300.
    expect(gaps).toEqual([75, 150, 300]);
  });

  it("never retries other 4xx and reports the rejected entries in the next batch", async () => {
    const { fetch, calls } = scriptedFetch([400]);
    const s = sender(fetch, { flushIntervalMs: 0 });
    s.push(entry());
    s.push(entry());
    await s.flush();
    await vi.runAllTimersAsync();
    expect(calls).toHaveLength(1);
    s.push(entry());
    await s.flush();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.envelope.client_dropped).toEqual({ rejected_400: 2 });
  });

  it("gives up after maxAttempts and counts the batch as undeliverable", async () => {
    const { fetch, calls } = scriptedFetch([503, 503, 503]);
    const s = sender(fetch, { maxAttempts: 3, flushIntervalMs: 0 });
    s.push(entry());
    const done = s.flush();
    await vi.runAllTimersAsync();
    await done;
    expect(calls).toHaveLength(3);
    s.push(entry());
    await s.flush();
    expect(calls[3]!.envelope.client_dropped).toEqual({ undeliverable: 1 });
  });

  it("splits a batch the server finds too large (413)", async () => {
    const { fetch, calls } = scriptedFetch([413]);
    const s = sender(fetch, { batchSize: 4, flushIntervalMs: 0 });
    for (let i = 0; i < 4; i++) s.push(entry(`m${i}`));
    await s.flush();
    await vi.runAllTimersAsync();
    expect(calls.map((c) => c.envelope.entries.length)).toEqual([4, 2, 2]);
    expect(calls.slice(1).flatMap((c) => c.envelope.entries.map((e) => e.message))).toEqual(["m0", "m1", "m2", "m3"]);
  });

  it("flush() never rejects, even when fetch throws synchronously", async () => {
    const s = sender(
      () => {
        throw new Error("boom");
      },
      { maxAttempts: 2, flushIntervalMs: 0 },
    );
    s.push(entry());
    const done = s.flush();
    await vi.runAllTimersAsync();
    await expect(done).resolves.toBeUndefined();
  });

  it("stops retrying a batch that was handed off (page unload), and hands over the rest of the queue", async () => {
    const { fetch, calls } = scriptedFetch([503]);
    const s = sender(fetch, { batchSize: 2 });
    s.push(entry("a"));
    s.push(entry("b"));
    await vi.advanceTimersByTimeAsync(0);
    s.push(entry("c"));
    const batches = s.takeAll();
    expect(batches.map((b) => b.entries.map((e) => e.message))).toEqual([["a", "b"], ["c"]]);
    await vi.runAllTimersAsync();
    expect(calls).toHaveLength(1);
  });
});

describe("delay and Retry-After", () => {
  const s = sender(scriptedFetch().fetch, { random: () => 0 });
  it("grows exponentially up to maxDelayMs", () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => s.delay(a, null))).toEqual([50, 100, 200, 400, 500, 500]);
  });
  it("waits at least Retry-After, capped by maxRetryAfterMs", () => {
    expect(s.delay(1, "2")).toBe(2000);
    expect(s.delay(1, "3600")).toBe(10_000);
  });
  it("parses seconds and HTTP dates", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("5", now)).toBe(5000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:07 GMT", now)).toBe(7000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
