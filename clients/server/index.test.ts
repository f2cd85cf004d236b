import { afterEach, describe, expect, it, vi } from "vitest";
import { captureConsole, createLogger, parseTraceparent, type FetchLike } from "./index.js";
import type { Envelope } from "../shared/types.js";

function recordingFetch(statuses: number[] = []) {
  const calls: { url: string; headers: Record<string, string>; envelope: Envelope }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, headers: init.headers as Record<string, string>, envelope: JSON.parse(String(init.body)) });
    const status = statuses.shift() ?? 202;
    return { status, headers: { get: (name: string) => (name === "retry-after" && status === 503 ? "1" : null) } };
  };
  const entries = () => calls.flatMap((c) => c.envelope.entries);
  return { fetch, calls, entries };
}

const base = {
  endpoint: "https://logs.test/log",
  token: "ingest-secret",
  system: "convex" as const,
  source: "convex:payments",
};

afterEach(() => {
  vi.useRealTimers();
});

describe("createLogger", () => {
  it("posts an envelope with auth and system headers, entry ids and sent_at", async () => {
    const { fetch, calls } = recordingFetch();
    const logger = createLogger({ ...base, fetch, traceId: "trace-1" });
    logger.info("charge created", { amount: 1200 });
    await logger.flush();
    expect(calls).toHaveLength(1);
    const { url, headers, envelope } = calls[0]!;
    expect(url).toBe("https://logs.test/log");
    expect(headers).toMatchObject({
      Authorization: "Bearer ingest-secret",
      "X-Debug-Logs-System": "convex",
      "Content-Type": "application/json",
    });
    expect(envelope.sent_at).toBeTypeOf("number");
    expect(envelope.batch_id).toMatch(/^[A-Za-z0-9._:-]+$/);
    expect(envelope.entries).toEqual([
      {
        id: expect.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
        trace_id: "trace-1",
        system: "convex",
        source: "convex:payments",
        level: "info",
        message: "charge created",
        timestamp: expect.any(Number),
        context: { amount: 1200 },
      },
    ]);
  });

  it("keeps stacks of Errors passed as message, context, or inside the context", async () => {
    const { fetch, entries } = recordingFetch();
    const logger = createLogger({ ...base, fetch });
    logger.error(new Error("as message", { cause: new Error("root cause") }));
    logger.error("as context", new TypeError("bad type"));
    logger.warn("inside context", { orderId: "o1", err: new RangeError("out of range") });
    await logger.flush();
    const [a, b, c] = entries();
    expect(a).toMatchObject({ level: "error", message: "Error: as message" });
    expect(a!.stack).toMatch(/^Error: as message\n\s+at /);
    expect(a!.stack).toContain("Caused by: Error: root cause");
    expect(b).toMatchObject({ message: "as context", context: { error: { name: "TypeError", message: "bad type" } } });
    expect(b!.stack).toMatch(/^TypeError: bad type/);
    expect(c).toMatchObject({ level: "warn", context: { orderId: "o1", err: { name: "RangeError" } } });
    expect(c!.stack).toMatch(/^RangeError: out of range/);
  });

  it("redacts secrets before sending", async () => {
    const { fetch, calls } = recordingFetch();
    const logger = createLogger({ ...base, fetch, redact: [/acct_\d+/] });
    logger.info("calling stripe with sk_live_4eC39HqLyjWDarjtT1zdp7dc for acct_42", {
      headers: { authorization: "Bearer abcdefghijkl" },
      password: "hunter2",
    });
    await logger.flush();
    const body = JSON.stringify(calls[0]!.envelope);
    expect(body).not.toMatch(/sk_live|acct_42|abcdefghijkl|hunter2/);
    expect(calls[0]!.envelope.entries[0]!.context).toEqual({
      headers: { authorization: "[REDACTED]" },
      password: "[REDACTED]",
    });
  });
});

describe("child", () => {
  it("binds a trace from a W3C traceparent, with the caller's span", async () => {
    const { fetch, entries } = recordingFetch();
    const logger = createLogger({ ...base, fetch });
    const child = logger.child({
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      userId: "u1",
    });
    expect(child.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    child.log("handled", { route: "/pay" });
    logger.log("root");
    await logger.flush(); // children share the parent's queue
    expect(entries()).toMatchObject([
      { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7", user_id: "u1", message: "handled" },
      { trace_id: logger.traceId, message: "root" },
    ]);
    expect(entries()[1]).not.toHaveProperty("user_id");
  });

  it("binds a plain trace id and merges bound context", async () => {
    const { fetch, entries } = recordingFetch();
    const child = createLogger({ ...base, fetch }).child({ traceId: "checkout-123", context: { region: "eu" } });
    child.info("step", { n: 1 });
    await child.flush();
    expect(entries()[0]).toMatchObject({ trace_id: "checkout-123", context: { region: "eu", n: 1 } });
    expect(child.traceparent()).toBeUndefined(); // not 32 hex: cannot travel in a traceparent
  });

  it("starts a fresh trace when the incoming traceparent is missing or malformed", () => {
    const logger = createLogger({ ...base, fetch: recordingFetch().fetch, traceId: "root-trace" });
    for (const traceparent of [null, "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"]) {
      const child = logger.child({ traceparent });
      expect(child.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(child.traceId).not.toBe("root-trace");
    }
  });

  it("propagates its trace to downstream calls", () => {
    const logger = createLogger({ ...base, fetch: recordingFetch().fetch });
    const header = logger.traceparent()!;
    expect(parseTraceparent(header)?.traceId).toBe(logger.traceId);
  });
});

describe("delivery", () => {
  it("flush() waits through a 503 with Retry-After and delivers everything", async () => {
    vi.useFakeTimers();
    const { fetch, calls, entries } = recordingFetch([503]);
    const logger = createLogger({ ...base, fetch, flushIntervalMs: 0 });
    logger.info("a");
    logger.info("b");
    let done = false;
    const flushed = logger.flush().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(900);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    await flushed;
    expect(calls).toHaveLength(2);
    expect(calls[1]!.envelope.batch_id).toBe(calls[0]!.envelope.batch_id);
    expect(
      entries()
        .slice(2)
        .map((e) => e.message),
    ).toEqual(["a", "b"]);
  });

  it("does not retry a 401/403 and never throws", async () => {
    const { fetch, calls } = recordingFetch([403]);
    const logger = createLogger({ ...base, fetch });
    logger.info("x");
    await expect(logger.flush()).resolves.toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it("sends a full batch without waiting for flush", async () => {
    const { fetch, calls } = recordingFetch();
    const logger = createLogger({ ...base, fetch, batchSize: 2, flushIntervalMs: 0 });
    logger.info("1");
    logger.info("2");
    await vi.waitFor(() => expect(calls).toHaveLength(1));
  });
});

describe("captureConsole", () => {
  it("ships console calls through the logger and still prints them, until restored", async () => {
    const { fetch, entries } = recordingFetch();
    const logger = createLogger({ ...base, system: "worker", fetch, traceId: "t-console" });
    const printed: unknown[][] = [];
    const spy = vi.spyOn(console, "warn").mockImplementation((...args) => void printed.push(args));
    const restore = captureConsole(logger);
    try {
      console.warn("low balance for %s", "ann", { balance: 3 }, new Error("nope"));
    } finally {
      restore();
    }
    console.warn("after restore");
    spy.mockRestore();
    await logger.flush();
    expect(printed).toHaveLength(2);
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatchObject({
      trace_id: "t-console",
      system: "worker",
      level: "warn",
      message: 'low balance for ann {"balance":3} Error: nope',
      context: { args: [{ balance: 3 }, { name: "Error", message: "nope" }] },
    });
    expect(entries()[0]!.stack).toMatch(/^Error: nope/);
  });

  it("picks the logger per call and does not capture its own re-entrant calls", async () => {
    const { fetch, entries } = recordingFetch();
    const logger = createLogger({ ...base, fetch });
    let current: ReturnType<typeof logger.child> | undefined;
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    const restore = captureConsole(() => current);
    try {
      console.log("no request yet");
      current = logger.child({ traceId: "req-1" });
      const sneaky = {
        get value() {
          console.log("from a getter");
          return 1;
        },
      };
      console.log("in request", sneaky);
    } finally {
      restore();
      spy.mockRestore();
    }
    await logger.flush();
    expect(entries().map((e) => [e.trace_id, e.message])).toEqual([["req-1", 'in request {"value":1}']]);
  });
});
