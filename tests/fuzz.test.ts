// Property-based fuzzing of the real stack (the Worker in workerd over a real Redis) with fast-check: random and
// hostile ingest bodies and headers, and random tool arguments. Whatever is sent: never a 5xx, never a stored secret
// from the corpus, every key with a TTL, and every read answers. Bounded runs with a fixed seed (FUZZ_SEED
// overrides it; fast-check prints the seed and the shrunk counterexample of a failure).
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../core/errors.js";
import { PLAIN_LINES, SECRET_CONTEXTS, SECRET_FIELDS, SECRET_LINES } from "../core/redact-corpus.js";
import { callTool, connectMcp } from "./helpers/mcp.js";
import { startTestStack, type TestStack } from "./helpers/stack.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
const BODY_RUNS = 80;
const TOOL_RUNS = 40;

let stack: TestStack;
const run = Math.random().toString(36).slice(2, 7);
const TRACES = Array.from({ length: 6 }, (_, i) => `fz-${run}-${i}`);
// Secrets long enough that random text cannot produce them by chance.
const SECRETS = [
  ...SECRET_LINES.flatMap((c) => c.secrets),
  ...SECRET_CONTEXTS.flatMap((c) => c.secrets),
  ...SECRET_FIELDS.map((c) => c.secret),
].filter((s) => s.length >= 8);

beforeAll(async () => {
  stack = await startTestStack({
    RATE_LIMIT_GLOBAL_PER_HOUR: "1000000",
    RATE_LIMIT_PER_TRACE_PER_HOUR: "1000000",
    MAX_BODY_BYTES: "200000",
    ALLOWED_ORIGINS: "https://app.example.com",
  });
});
afterAll(async () => {
  await stack?.stop();
});

const HOSTILE = [
  "/".repeat(5000),
  "eyJ-".repeat(1500),
  "password=".repeat(400),
  "\n".repeat(3000),
  "a-".repeat(3000),
  "a.".repeat(3000),
  "%22%3A".repeat(400),
  '"secret":"'.repeat(300),
  "?key=&sig=".repeat(300),
  "\u2028\u2029\u0000\ud800",
  "__proto__",
  "constructor",
  "[REDACTED]",
];
const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(...SECRET_LINES.map((c) => c.text), ...PLAIN_LINES, ...HOSTILE),
  fc
    .tuple(fc.constantFrom(...HOSTILE), fc.constantFrom(...SECRET_LINES.map((c) => c.text)))
    .map(([a, b]) => `${a} ${b}`),
);
const id = fc.oneof(
  fc.constantFrom(...TRACES),
  fc.constantFrom(".", "..", "", "a/b", "x".repeat(200), "logs:*", "a b", SECRET_FIELDS[0]!.value),
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,12}$/),
);
const time = fc.oneof(
  fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
  fc.constantFrom(1e300, -1, 0, 4_102_444_800_001, Number.MAX_SAFE_INTEGER, 0.5),
  fc.double(),
);
const context = fc.oneof(
  fc.constantFrom(...SECRET_CONTEXTS.map((c) => c.context)),
  fc.dictionary(
    fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("password", "Cookie", "__proto__", "name", "value")),
    fc.oneof(text, fc.integer(), fc.jsonValue({ maxDepth: 3 }), fc.tuple(fc.constantFrom("cookie", "accept"), text)),
    { maxKeys: 8 },
  ),
  fc.jsonValue({ maxDepth: 4 }),
);
const entry = fc.record(
  {
    trace_id: id,
    id,
    span_id: id,
    user_id: fc.oneof(text, fc.constantFrom(...SECRET_FIELDS.map((f) => f.value))),
    system: fc.constantFrom("browser", "convex", "worker", "manual", "root"),
    level: fc.constantFrom("debug", "log", "info", "warn", "error", "fatal"),
    message: text,
    stack: text,
    timestamp: time,
    context,
    url: text,
    source: text,
  },
  { requiredKeys: ["trace_id", "message"] },
);
const envelope = fc.record(
  {
    sent_at: time,
    batch_id: id,
    entries: fc.array(fc.oneof(entry, fc.jsonValue({ maxDepth: 2 })), { maxLength: 20 }),
    client_dropped: fc.oneof(
      fc.dictionary(
        fc.oneof(fc.string(), fc.constantFrom("queue_full", SECRET_FIELDS[0]!.value)),
        fc.oneof(fc.integer(), fc.double()),
      ),
      fc.jsonValue({ maxDepth: 1 }),
    ),
  },
  { requiredKeys: ["entries"] },
);
const body = fc.oneof(
  { weight: 3, arbitrary: entry.map((e) => JSON.stringify(e)) },
  { weight: 4, arbitrary: fc.array(entry, { maxLength: 25 }).map((e) => JSON.stringify(e)) },
  { weight: 4, arbitrary: envelope.map((e) => JSON.stringify(e)) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
);
const headers = fc.record({
  type: fc.constantFrom(
    undefined,
    "application/json",
    "text/plain",
    "application/json; charset=utf-8",
    "text/html",
    "",
  ),
  encoding: fc.constantFrom(undefined, "gzip", "deflate", "br", "identity", "gzip-but-plain"),
  traceparent: fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
    ),
    fc.string({ maxLength: 60 }),
  ),
  system: fc.oneof(fc.constant(undefined), fc.constantFrom("convex", "worker", "root"), fc.string({ maxLength: 10 })),
  auth: fc.constantFrom("token", "token", "origin", "wrong-token", "foreign-origin", "none"),
});

type Headers = typeof headers extends fc.Arbitrary<infer T> ? T : never;

function request(payload: string, h: Headers) {
  const out: Record<string, string> = {};
  if (h.type !== undefined) out["content-type"] = h.type;
  if (h.traceparent !== undefined) out.traceparent = h.traceparent;
  if (h.system !== undefined) out["x-debug-logs-system"] = h.system;
  if (h.auth === "token") out.authorization = `Bearer ${stack.ingestToken}`;
  if (h.auth === "wrong-token") out.authorization = "Bearer nope";
  if (h.auth === "origin") out.origin = "https://app.example.com";
  if (h.auth === "foreign-origin") out.origin = "https://evil.example.net";
  let data: Uint8Array | string = payload;
  if (h.encoding === "gzip" || h.encoding === "gzip-but-plain") out["content-encoding"] = "gzip";
  else if (h.encoding !== undefined) out["content-encoding"] = h.encoding;
  if (h.encoding === "gzip") data = gzipSync(payload);
  return fetch(`${stack.url}/log`, { method: "POST", headers: out, body: data });
}

const api = (path: string) =>
  fetch(`${stack.url}/api/${path}`, { headers: { authorization: `Bearer ${stack.mcpToken}` } });

async function allKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = (await stack.redis(["SCAN", cursor, "MATCH", `${stack.keyPrefix}*`, "COUNT", "1000"])) as [
      string,
      string[],
    ];
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

async function dump(key: string): Promise<string> {
  const type = String(await stack.redis(["TYPE", key]));
  if (type === "list") return JSON.stringify(await stack.redis(["LRANGE", key, "0", "-1"]));
  if (type === "hash") return JSON.stringify(await stack.redis(["HGETALL", key]));
  if (type === "set") return JSON.stringify(await stack.redis(["SMEMBERS", key]));
  if (type === "zset") return JSON.stringify(await stack.redis(["ZRANGE", key, "0", "-1"]));
  return JSON.stringify(await stack.redis(["GET", key]));
}

describe("fuzzing POST /log", () => {
  it("never answers 5xx, and every error answer carries a known code", async () => {
    await fc.assert(
      fc.asyncProperty(body, headers, async (payload, h) => {
        const res = await request(payload, h);
        const text = await res.text();
        if (process.env.FUZZ_LOG)
          console.log("FUZZ", res.status, payload.length, JSON.stringify(h), text.slice(0, 100));
        expect(res.status, text).toBeLessThan(500);
        if (res.status >= 400) expect(ERROR_CODES).toContain(JSON.parse(text).code);
      }),
      { seed: SEED, numRuns: BODY_RUNS, endOnFailure: true },
    );
  });

  it("left no key without a TTL and no secret of the corpus in storage", async () => {
    const keys = await allKeys();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(Number(await stack.redis(["TTL", key])), key).toBeGreaterThan(0);
      const value = key + (await dump(key));
      for (const secret of SECRETS) expect(value, `${secret} in ${key}`).not.toContain(secret);
    }
  });

  it("left every trace readable through the API and the tools", async () => {
    for (const path of ["traces", "errors", "traces?since_minutes=60&limit=100"]) {
      expect((await api(path)).status, path).toBe(200);
    }
    const mcp = await connectMcp(stack.url, stack.mcpToken);
    try {
      for (const tool of ["list_traces", "list_errors"])
        expect((await callTool(mcp, tool, {})).isError, tool).toBe(false);
      for (const trace of TRACES) {
        const exists = (await api(`traces/${trace}`)).status;
        expect([200, 404]).toContain(exists);
        if (exists !== 200) continue;
        expect((await api(`traces/${trace}/correlation`)).status).toBe(200);
        for (const tool of ["get_trace", "correlate_trace"]) {
          const out = await callTool(mcp, tool, { trace_id: trace });
          expect(out.isError, `${tool} ${trace}: ${out.text}`).toBe(false);
        }
      }
    } finally {
      await mcp.close();
    }
  });
});

describe("fuzzing tool arguments", () => {
  const value = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    fc.constantFrom(
      ...TRACES,
      ".",
      "..",
      "(a+)+$",
      "\\w{0,9999}\\w{0,9999}\\w{0,9999}!",
      "(a|a)".repeat(18),
      "[",
      "x".repeat(300),
    ),
  );
  const args = fc.dictionary(
    fc.constantFrom(
      "trace_id",
      "query",
      "regex",
      "text",
      "systems",
      "levels",
      "since",
      "until",
      "since_minutes",
      "limit",
      "cursor",
      "budget_tokens",
      "hours",
      "user_id",
      "has_errors",
      "system",
      "unexpected",
    ),
    value,
    { maxKeys: 5 },
  );
  const tools = fc.constantFrom(
    "list_traces",
    "list_errors",
    "correlate_trace",
    "get_trace",
    "search_logs",
    "pin_trace",
  );

  it("answers every call with a result or an invalid-params error, never an internal error", async () => {
    const mcp = await connectMcp(stack.url, stack.mcpToken);
    try {
      await fc.assert(
        fc.asyncProperty(tools, args, async (tool, a) => {
          try {
            const out = await callTool(mcp, tool, a);
            expect(typeof out.text).toBe("string");
            if (out.isError) expect(out.text).not.toMatch(/failed unexpectedly|Internal error/);
          } catch (error) {
            // The SDK refuses arguments its schema rejects before the tool runs: that is an answer too.
            expect((error as { code?: number }).code, String(error)).toBe(-32602);
          }
        }),
        { seed: SEED, numRuns: TOOL_RUNS, endOnFailure: true },
      );
    } finally {
      await mcp.close();
    }
  });
});
