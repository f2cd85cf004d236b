// The server client in Node against the real stack (Worker in workerd + Redis), as a Convex action or a Worker
// would use it: entries are read back from the store by trace id.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureConsole, createLogger, newTraceId, type FetchLike } from "../clients/server/index.js";
import { readTrace, startClientStack, type ClientStack } from "./helpers/clients-stack.js";

let stack: ClientStack;

beforeAll(async () => {
  stack = await startClientStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** The real fetch, counting calls; the first `fail` calls answer 503 with Retry-After instead of reaching the Worker. */
function countingFetch(fail = 0) {
  const calls: { at: number; status: number }[] = [];
  const fetchImpl: FetchLike = async (url, init) => {
    if (calls.length < fail) {
      calls.push({ at: Date.now(), status: 503 });
      return new Response(JSON.stringify({ error: "The store did not answer; retry later" }), {
        status: 503,
        headers: { "Retry-After": "1", "Content-Type": "application/json" },
      });
    }
    const res = await fetch(url, init);
    calls.push({ at: Date.now(), status: res.status });
    return res;
  };
  return { fetch: fetchImpl, calls };
}

const options = () => ({ endpoint: `${stack.url}/log`, token: stack.ingestToken, flushIntervalMs: 0 });

describe("server client against the real stack", () => {
  it("stores entries under the trace from a traceparent; flush() resolves only once they are stored", async () => {
    const traceId = newTraceId();
    const logger = createLogger({ ...options(), system: "convex", source: "convex:payments" });
    const log = logger.child({ traceparent: `00-${traceId}-00f067aa0ba902b7-01`, userId: "user-42" });
    log.info("charging card", { amount: 1200, currency: "eur" });
    log.error("charge failed", new Error("card declined", { cause: new Error("issuer unavailable") }));
    await log.flush();

    const entries = await readTrace(stack, traceId); // no polling: flush() awaited delivery
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      trace_id: traceId,
      span_id: "00f067aa0ba902b7",
      user_id: "user-42",
      system: "convex",
      source: "convex:payments",
      level: "info",
      message: "charging card",
      context: { amount: 1200, currency: "eur" },
    });
    expect(entries[1]).toMatchObject({
      level: "error",
      message: "charge failed",
      context: { error: { name: "Error", message: "card declined" } },
    });
    expect(entries[1]!.stack).toMatch(/^Error: card declined\n\s+at .*clients-server\.test\.ts/);
    expect(entries[1]!.stack).toContain("Caused by: Error: issuer unavailable");
    expect(typeof entries[0]!.clock_offset_ms).toBe("number");
  });

  it("retries after a 503 with Retry-After, stores everything once, and flush() waits for it", async () => {
    const traceId = newTraceId();
    const { fetch, calls } = countingFetch(2);
    const log = createLogger({ ...options(), system: "worker", source: "email-worker", fetch }).child({ traceId });
    for (let i = 0; i < 3; i++) log.info(`attempt survives ${i}`);
    const started = Date.now();
    await log.flush();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900); // two Retry-After: 1 waits
    expect(calls.map((c) => c.status)).toEqual([503, 503, 202]);

    const entries = await readTrace(stack, traceId);
    expect(entries.map((e) => e.message)).toEqual(["attempt survives 0", "attempt survives 1", "attempt survives 2"]);
    expect(entries.every((e) => e.system === "worker" && e.source === "email-worker")).toBe(true);
  });

  it("does not retry a rejected token, and flush() still resolves", async () => {
    const traceId = newTraceId();
    const { fetch, calls } = countingFetch();
    const log = createLogger({ ...options(), token: "not-the-token", system: "convex", fetch }).child({ traceId });
    log.info("never stored");
    await log.flush();
    expect(calls.map((c) => c.status)).toEqual([403]);
    expect(await readTrace(stack, traceId)).toEqual([]);
  });

  it("redacts secrets before sending (and they are not in the store)", async () => {
    const traceId = newTraceId();
    const log = createLogger({ ...options(), system: "convex", redact: [/acct_\d+/] }).child({ traceId });
    log.warn("stripe call with sk_live_4eC39HqLyjWDarjtT1zdp7dc for acct_1234 failed", {
      request: { headers: { Authorization: "Bearer abcdefghijklmnop" }, body: { card: "4242 4242 4242 4242" } },
      password: "hunter2",
    });
    await log.flush();
    const [entry] = await readTrace(stack, traceId);
    expect(entry!.message).toBe("stripe call with [REDACTED] for [REDACTED] failed");
    expect(entry!.context).toEqual({
      request: { headers: { Authorization: "[REDACTED]" }, body: { card: "[REDACTED]" } },
      password: "[REDACTED]",
    });
  });

  it("ships existing console calls with captureConsole(), until restored", async () => {
    const traceId = newTraceId();
    const log = createLogger({ ...options(), system: "worker" }).child({ traceId });
    const printed: unknown[][] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => void printed.push(args);
    const restore = captureConsole(log);
    try {
      console.log("handled email from %s", "ann@example.com", { size: 2048 });
    } finally {
      restore();
      console.log = original;
    }
    await log.flush();
    expect(printed).toEqual([["handled email from %s", "ann@example.com", { size: 2048 }]]);
    expect(await readTrace(stack, traceId)).toMatchObject([
      {
        system: "worker",
        level: "log",
        message: 'handled email from ann@example.com {"size":2048}',
        context: { args: [{ size: 2048 }] },
      },
    ]);
  });
});
