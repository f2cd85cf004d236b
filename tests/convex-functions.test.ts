/// <reference types="vite/client" />
// Convex functions run by convex-test (Convex's own test runner: argument validation, the scheduler, the ban on
// fetch in queries and mutations) against the real stack: the free-plan helper ships a mutation's logs through a
// scheduled internal action, and the seed's read path (a Convex action reading a trace with @upstash/redis and
// correlating it with core) works unchanged.
import { anyApi } from "convex/server";
import { convexTest } from "convex-test";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestStack, type TestStack } from "./helpers/stack.js";

const modules = import.meta.glob("./convex-app/**/*.ts");
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- what codegen's `api` is for an app without types
const api = anyApi as any;
let stack: TestStack;
const uid = (p: string) => `${p}-${Math.random().toString(36).slice(2, 10)}`;
const saved = { ...process.env };

beforeAll(async () => {
  stack = await startTestStack({ RATE_LIMIT_PER_TRACE_PER_HOUR: "100000", RATE_LIMIT_GLOBAL_PER_HOUR: "10000000" });
  // The deployment's environment variables, as `npx convex env set` would set them.
  Object.assign(process.env, {
    DEBUG_LOGS_URL: `${stack.url}/log`,
    DEBUG_LOGS_INGEST_TOKEN: stack.ingestToken,
    UPSTASH_REDIS_REST_URL: stack.restUrl,
    UPSTASH_REDIS_REST_TOKEN: stack.restToken,
    KEY_PREFIX: stack.keyPrefix,
  });
});
afterEach(() => vi.useRealTimers());
afterAll(async () => {
  process.env = saved;
  await stack?.stop();
});

type Stored = { system: string; level: string; message: string; source?: string; stack?: string; context?: object };
async function entries(traceId: string): Promise<Stored[] | null> {
  const res = await fetch(`${stack.url}/api/traces/${traceId}?download=1`, {
    headers: { authorization: `Bearer ${stack.mcpToken}` },
  });
  return res.status === 404 ? null : ((await res.json()) as { entries: Stored[] }).entries;
}

describe("what Convex allows", () => {
  it("refuses fetch in a mutation and gives queries no scheduler", async () => {
    const t = convexTest(undefined, modules);
    await expect(t.mutation(api.payments.postFromMutation, { url: `${stack.url}/log` })).rejects.toThrow(
      /fetch.*not supported in Convex queries or mutations/,
    );
    expect(await t.query(api.payments.hasScheduler, {})).toBe(false);
  });
});

describe("the free-plan helper", () => {
  it("ships a mutation's logs, its caught failure included, through a scheduled internal action", async () => {
    vi.useFakeTimers();
    const t = convexTest(undefined, modules);
    const trace = uid("free");
    const result = await t.mutation(api.payments.createPaymentIntent, { traceId: trace, amount: 5000 });
    expect(result).toEqual({ ok: false, error: "card declined for amount 5000" });
    const scheduled = await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect());
    expect(scheduled.map((s) => s.name)).toEqual(["debugLogs:ship"]);
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    vi.useRealTimers();

    const stored = (await entries(trace))!;
    expect(stored.map((e) => [e.system, e.level, e.source, e.message])).toEqual([
      ["convex", "info", "payments:createPaymentIntent", "creating payment intent"],
      ["convex", "error", "payments:createPaymentIntent", "Error: card declined for amount 5000"],
    ]);
    // Redacted before it left the mutation; the stack kept.
    expect(stored[0]!.context).toEqual({ amount: 5000, card: "[REDACTED]" });
    expect(stored[1]!.stack).toMatch(/payments\.ts/);
  });

  it("ships nothing from a mutation that throws: Convex rolls the scheduled action back", async () => {
    const t = convexTest(undefined, modules);
    await expect(t.mutation(api.payments.shipThenThrow, { traceId: uid("thrown") })).rejects.toThrow(/declined/);
    expect(await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect())).toEqual([]);
  });

  it("schedules nothing without a trace id", async () => {
    const t = convexTest(undefined, modules);
    await t.mutation(api.payments.createPaymentIntent, { amount: 5 });
    expect(await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect())).toEqual([]);
  });
});

describe("the seed's read path", () => {
  it("reads a trace with @upstash/redis in a Convex action and correlates it with core, naming the mutation", async () => {
    const trace = uid("read");
    const t0 = Date.now() - 1000;
    const res = await fetch(`${stack.url}/log`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.ingestToken}`, "content-type": "application/json" },
      body: JSON.stringify([
        { trace_id: trace, system: "browser", level: "info", message: "click pay", timestamp: t0 },
        {
          trace_id: trace,
          system: "convex",
          source: "payments:createPaymentIntent",
          level: "error",
          message: "payments:createPaymentIntent failed: Uncaught Error: card declined",
          context: { request_id: "4e5b6a708f2a1c9d" },
          timestamp: t0 + 30,
        },
        {
          trace_id: trace,
          system: "browser",
          level: "error",
          message: "[CONVEX M(payments:createPaymentIntent)] [Request ID: 4e5b6a708f2a1c9d] Server Error",
          timestamp: t0 + 80,
        },
      ]),
    });
    expect(res.status).toBe(202);
    const t = convexTest(undefined, modules);
    const out = await t.action(api.traces.correlateTrace, { traceId: trace });
    expect(out.root).toEqual({
      source: "payments:createPaymentIntent",
      message: "payments:createPaymentIntent failed: Uncaught Error: card declined",
    });
    expect(out.text).toContain(trace);
    expect(out.text).toContain("payments:createPaymentIntent");
  });
});
