// POST /log end to end: the Worker in workerd (wrangler dev) over a real Redis, every status with its body.
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRawList } from "./helpers/raw-list.js";
import { startTestStack, type TestStack } from "./helpers/stack.js";

let stack: TestStack;
let dead: TestStack;
const uid = () => `t-${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  stack = await startTestStack({
    RATE_LIMIT_PER_TRACE_PER_HOUR: "20",
    RATE_LIMIT_GLOBAL_PER_HOUR: "1000000",
    MAX_BODY_BYTES: "20000",
    ALLOWED_ORIGINS: "https://app.example.com,*.example.org",
  });
});
afterAll(async () => {
  await stack?.stop();
  await dead?.stop();
});

function post(body: unknown, headers: Record<string, string> = {}, raw?: BodyInit) {
  return fetch(`${stack.url}/log`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${stack.ingestToken}`, ...headers },
    body: raw ?? JSON.stringify(body),
  });
}
/** The entries stored under logs:{trace_id}, oldest first. */
async function storedEntries(traceId: string): Promise<Array<Record<string, unknown>>> {
  return (await readRawList(stack.redis, stack.keyPrefix, traceId)).entries;
}
const entry = (trace_id: string, over: Record<string, unknown> = {}) => ({
  trace_id,
  message: "hello",
  timestamp: Date.now(),
  ...over,
});

describe("POST /log", () => {
  it("stores a batch under logs:{trace_id} and answers 202 with counts", async () => {
    const t = uid();
    const res = await post([
      entry(t, { level: "info" }),
      entry(t, { level: "error", message: "boom", stack: "Error: boom\n at x" }),
    ]);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, dropped: {} });
    const stored = await storedEntries(t);
    expect(stored).toMatchObject([
      { trace_id: t, level: "info", system: "manual", message: "hello" },
      { level: "error", message: "boom", stack: "Error: boom\n at x" },
    ]);
    expect(stored[0]!.received_at).toBeGreaterThan(Date.now() - 60_000);
  });

  it("accepts an envelope with sent_at and records the clock offset", async () => {
    const t = uid();
    const now = Date.now();
    const res = await post({ sent_at: now - 5000, entries: [entry(t, { timestamp: now - 5100 })] });
    expect(res.status).toBe(202);
    const [stored] = await storedEntries(t);
    const offset = stored!.clock_offset_ms as number;
    expect(offset).toBeGreaterThanOrEqual(5000);
    expect(offset).toBeLessThan(15_000);
  });

  it("accepts text/plain (sendBeacon) and gzip bodies", async () => {
    const t = uid();
    expect((await post(null, { "content-type": "text/plain;charset=UTF-8" }, JSON.stringify([entry(t)]))).status).toBe(
      202,
    );
    const gz = gzipSync(JSON.stringify([entry(t, { message: "zipped" })]));
    const res = await post(null, { "content-encoding": "gzip" }, gz);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 1 });
  });

  it("takes the trace from a traceparent header and detects the system", async () => {
    const trace =
      "4bf92f3577b34da6a3ce929d0e0e" +
      Math.floor(Math.random() * 0xffff)
        .toString(16)
        .padStart(4, "0");
    const res = await post([{ message: "from convex" }], {
      traceparent: `00-${trace}-00f067aa0ba902b7-01`,
      "x-debug-logs-system": "convex",
    });
    expect(res.status).toBe(202);
    const [stored] = await storedEntries(trace);
    expect(stored).toMatchObject({ trace_id: trace, span_id: "00f067aa0ba902b7", system: "convex" });
  });

  it("does not store a retried batch twice", async () => {
    const t = uid();
    const body = { batch_id: `b-${t}`, entries: [entry(t), entry(t)] };
    expect(await (await post(body)).json()).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await (await post(body)).json()).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(await storedEntries(t)).toHaveLength(2);
  });

  it("redacts secrets before they reach storage", async () => {
    const t = uid();
    await post([
      entry(t, {
        message: "login with Bearer abcdef123456789",
        context: { password: "hunter2", card: "4242424242424242" },
      }),
    ]);
    const [stored] = (await readRawList(stack.redis, stack.keyPrefix, t)).elements;
    expect(stored).not.toMatch(/abcdef123456789|hunter2|4242424242424242/);
    expect(stored).toContain("[REDACTED]");
  });

  it("truncates oversized fields visibly", async () => {
    const t = uid();
    await post([entry(t, { message: "m".repeat(10_000) })]);
    const [e] = await storedEntries(t);
    expect(String(e!.message).endsWith("…[truncated]")).toBe(true);
    expect(e!.truncated).toEqual(["message"]);
  });
});

describe("POST /log errors", () => {
  it("400 for malformed JSON", async () => {
    const res = await post(null, {}, "{not json");
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/^Malformed JSON/);
  });

  it("400 with details for schema violations, nothing stored", async () => {
    const t = uid();
    const res = await post([{ trace_id: t, level: "loud", message: 3 }]);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatch(/No valid entries/);
    expect(body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 0, field: "level" }),
        expect.objectContaining({ index: 0, field: "message" }),
      ]),
    );
    expect(await stack.redis(["EXISTS", `${stack.keyPrefix}logs:${t}`])).toBe(0);
  });

  it("202 for a mixed batch: valid entries stored, invalid ones reported", async () => {
    const t = uid();
    const res = await post([entry(t), { trace_id: t }, entry(t)]);
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toMatchObject({ accepted: 2, dropped: { invalid: 1 } });
    expect(body.details).toEqual([expect.objectContaining({ index: 1, field: "message" })]);
  });

  it("413 over the body limit, 415 for other content types", async () => {
    const big = await post([entry(uid(), { message: "x".repeat(30_000) })]);
    expect(big.status).toBe(413);
    expect((await big.json()).error).toMatch(/larger than 20000 bytes/);
    const form = await post(null, { "content-type": "application/x-www-form-urlencoded" }, "a=b");
    expect(form.status).toBe(415);
    expect((await form.json()).error).toMatch(/Unsupported content type/);
  });

  it("403 without credentials, with a wrong token, or from a foreign origin", async () => {
    const none = await fetch(`${stack.url}/log`, {
      method: "POST",
      body: "[]",
      headers: { "content-type": "application/json" },
    });
    expect(none.status).toBe(403);
    expect((await none.json()).error).toMatch(/INGEST_TOKEN/);
    const wrong = await post([entry(uid())], { authorization: "Bearer nope" });
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error).toMatch(/not valid/);
    const evil = await fetch(`${stack.url}/log`, {
      method: "POST",
      headers: { origin: "https://evil.test", "content-type": "text/plain" },
      body: JSON.stringify([entry(uid())]),
    });
    expect(evil.status).toBe(403);
    expect((await evil.json()).error).toMatch(/evil.test is not in ALLOWED_ORIGINS/);
  });

  it("admits allowed browser origins and answers CORS preflight", async () => {
    for (const origin of ["https://app.example.com", "https://shop.example.org", "http://localhost:5173"]) {
      const res = await fetch(`${stack.url}/log`, {
        method: "POST",
        headers: { origin, "content-type": "text/plain" },
        body: JSON.stringify([entry(uid())]),
      });
      expect(res.status, origin).toBe(202);
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
      expect(res.headers.get("vary")).toMatch(/Origin/i);
    }
    const pre = await fetch(`${stack.url}/log`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,traceparent",
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(pre.headers.get("access-control-allow-headers")).toMatch(/traceparent/i);
    // Servers send no Origin: no CORS headers for them.
    const server = await post([entry(uid())]);
    expect(server.status).toBe(202);
    expect(server.headers.get("access-control-allow-origin")).toBeNull();
    expect(server.headers.get("access-control-expose-headers")).toBeNull();
  });

  it("429 with Retry-After when the per-trace limit refuses everything", async () => {
    const t = uid();
    const first = await post(Array.from({ length: 25 }, () => entry(t)));
    // Entries below warn get the unreserved 80% of the limit of 20 (RATE_LIMIT_RESERVE_PERCENT).
    expect(await first.json()).toMatchObject({ accepted: 16, dropped: { rate_limit_trace: 9 } });
    const res = await post([entry(t)]);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await res.json()).error).toMatch(/1 dropped by rate_limit_trace/);
  });

  it("never answers 500 to odd bodies", async () => {
    for (const body of ["null", "42", '"x"', "[1,2]", '{"entries":5}', "[[]]", '{"message":{}}', "[]"]) {
      const res = await post(null, {}, body);
      expect(res.status, body).toBe(400);
      expect((await res.json()).error, body).toBeTruthy();
    }
  });

  it("503 with Retry-After when the store does not answer, and /health says so", async () => {
    dead = await startTestStack({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", UPSTASH_REDIS_REST_TOKEN: "x" });
    const res = await fetch(`${dead.url}/log`, {
      method: "POST",
      headers: { authorization: `Bearer ${dead.ingestToken}`, "content-type": "application/json" },
      body: JSON.stringify([entry(uid())]),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    const body = await res.json();
    // A write that timed out may still land: the answer says the outcome is unknown and that a retry is safe.
    expect(body).toMatchObject({ code: "store_unavailable", outcome: "unknown" });
    expect(body.error).toMatch(/outcome is unknown.*Retrying the same batch is safe/);
    expect((await fetch(`${dead.url}/health`)).status).toBe(503);
    expect(await (await fetch(`${stack.url}/health`)).json()).toEqual({ ok: true, store: "reachable" });
  });
});

describe("Redis cost", () => {
  it("costs one Redis command per trace in the batch, whatever the batch size", async () => {
    await post([entry(uid())]); // the script is loaded once per Redis
    const before = await stack.commandStats();
    stack.resetCommandCount();
    const a = uid();
    const b = uid();
    await post(Array.from({ length: 100 }, (_, i) => entry(i % 2 ? a : b)));
    await post([entry(uid())]);
    expect(stack.commandCount()).toBe(3);
    const after = await stack.commandStats();
    if (before && after) {
      expect((after.evalsha ?? 0) - (before.evalsha ?? 0)).toBe(3);
      expect((after.eval ?? 0) - (before.eval ?? 0)).toBe(0);
    }
  });
});
