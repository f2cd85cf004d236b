// Hostile input end to end (the Worker in workerd over a real Redis): each test is named for what it protects.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_CLIENT_DROP_REASONS, MAX_TRACES_PER_REQUEST } from "../core/limits.js";
import { PLAIN_LINES, SECRET_LINES } from "../core/redact-corpus.js";
import { callTool, connectMcp } from "./helpers/mcp.js";
import { startTestStack, type TestStack } from "./helpers/stack.js";

let stack: TestStack;
const uid = () => `h-${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  stack = await startTestStack({
    RATE_LIMIT_GLOBAL_PER_HOUR: "1000000",
    RATE_LIMIT_PER_TRACE_PER_HOUR: "100000",
    ALLOWED_ORIGINS: "https://app.example.com",
  });
});
afterAll(async () => {
  await stack?.stop();
});

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${stack.url}/log`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${stack.ingestToken}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
async function stored(traceId: string): Promise<Array<Record<string, unknown>>> {
  const items = (await stack.redis(["LRANGE", `${stack.keyPrefix}logs:${traceId}`, "0", "-1"])) as string[];
  return items.flatMap((item) => JSON.parse(item) as Array<Record<string, unknown>>);
}
async function meta(traceId: string): Promise<string[]> {
  return (await stack.redis(["HGETALL", `${stack.keyPrefix}logs:${traceId}:meta`])) as string[];
}
const api = (path: string) =>
  fetch(`${stack.url}/api/${path}`, { headers: { authorization: `Bearer ${stack.mcpToken}` } });

describe("ids that would shift the REST path", () => {
  it("refuses . and .. as trace, entry and batch ids with a 400 naming the field, and keeps ingesting", async () => {
    for (const bad of [".", ".."]) {
      const res = await post({ trace_id: bad, message: "x" });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/trace_id .*not \. or \.\./);
      expect((await post({ trace_id: uid(), id: bad, message: "x" })).status).toBe(400);
      expect((await post({ batch_id: bad, entries: [{ trace_id: uid(), message: "x" }] })).status).toBe(400);
    }
    const trace = uid();
    expect((await post({ trace_id: trace, message: "after" })).status).toBe(202);
    expect((await stored(trace)).map((e) => e.message)).toEqual(["after"]);
  });
});

describe("bodies that are not what they claim", () => {
  it("answers 400 to a large plain body sent as gzip, and the next request is unharmed", async () => {
    const trace = uid();
    const big = JSON.stringify([{ trace_id: trace, message: "x".repeat(28_000) }]);
    const res = await post(big, { "content-encoding": "gzip" });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/Could not read the body/);
    expect((await post({ trace_id: trace, message: "next" })).status).toBe(202);
  });
});

describe("times that break readers", () => {
  it("refuses a timestamp or sent_at of 1e300 at ingest", async () => {
    const res = await post({ trace_id: uid(), message: "x", timestamp: 1e300 });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/timestamp must be milliseconds since the epoch, before 2100/);
    const env = await post({ sent_at: 1e300, entries: [{ trace_id: uid(), message: "x" }] });
    expect(env.status).toBe(400);
  });

  it("reads a trace that holds an out-of-range time (written before the check) without failing", async () => {
    const trace = uid();
    expect((await post({ trace_id: trace, message: "good" })).status).toBe(202);
    const bad = {
      id: "bad",
      trace_id: trace,
      system: "manual",
      level: "log",
      message: "bad",
      timestamp: 1e300,
      received_at: Date.now(),
    };
    await stack.redis(["RPUSH", `${stack.keyPrefix}logs:${trace}`, JSON.stringify([bad])]);
    const res = await api(`traces/${trace}`);
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain("good");
    const mcp = await connectMcp(stack.url, stack.mcpToken);
    try {
      for (const [tool, args] of [
        ["get_trace", { trace_id: trace }],
        ["correlate_trace", { trace_id: trace }],
        ["search_logs", { query: "good" }],
      ] as const) {
        const out = await callTool(mcp, tool, args);
        expect(out.isError, `${tool}: ${out.text}`).toBe(false);
      }
    } finally {
      await mcp.close();
    }
  });
});

describe("deep and wide contexts", () => {
  it("answers 202 to a context nested 150,000 deep, cut at the depth limit (never a 500)", async () => {
    const trace = uid();
    const depth = 150_000;
    const body = `{"trace_id":"${trace}","message":"deep","context":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
    const res = await post(body);
    expect(res.status).toBe(202);
    const [entry] = await stored(trace);
    expect(entry?.truncated).toContain("context");
    expect(JSON.stringify(entry?.context)).toContain("[depth limit]");
  });
});

describe("cost per request", () => {
  it(`writes at most ${MAX_TRACES_PER_REQUEST} traces per request and reports every refused entry`, async () => {
    const traces = Array.from({ length: 200 }, uid);
    await post({ trace_id: uid(), message: "load the script" });
    stack.resetCommandCount();
    const res = await post(traces.map((trace_id) => ({ trace_id, message: "m" })));
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body.accepted).toBe(MAX_TRACES_PER_REQUEST);
    expect(body.dropped.trace_limit).toBe(200 - MAX_TRACES_PER_REQUEST);
    expect(body.details).toHaveLength(200 - MAX_TRACES_PER_REQUEST);
    expect(body.details[0]).toMatchObject({ index: MAX_TRACES_PER_REQUEST, field: "trace_id" });
    expect(stack.commandCount()).toBeLessThanOrEqual(MAX_TRACES_PER_REQUEST);
  });

  it(`keeps at most ${MAX_CLIENT_DROP_REASONS} client drop reasons, of bounded length`, async () => {
    const trace = uid();
    const reasons = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`reason_${i}_${"x".repeat(60)}`, 1]));
    const res = await post({
      sent_at: Date.now(),
      entries: [{ trace_id: trace, message: "m" }],
      client_dropped: reasons,
    });
    expect(res.status).toBe(202);
    const fields = (await meta(trace)).filter((_, i, all) => i % 2 === 0 && all[i]!.startsWith("drop:"));
    expect(fields.length).toBeLessThanOrEqual(MAX_CLIENT_DROP_REASONS);
    for (const field of fields) expect(field.length).toBeLessThanOrEqual(80);
    expect((await api(`traces/${trace}`)).status).toBe(200);
  });
});

describe("spoofed systems", () => {
  it("stores writes admitted by Origin as browser whatever they claim; token holders choose", async () => {
    const trace = uid();
    const res = await fetch(`${stack.url}/log`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: "https://app.example.com",
        "x-debug-logs-system": "convex",
      },
      body: JSON.stringify([{ trace_id: trace, system: "convex", message: "claims convex" }]),
    });
    expect(res.status).toBe(202);
    expect((await post({ trace_id: trace, system: "worker", message: "a real worker" })).status).toBe(202);
    expect((await stored(trace)).map((e) => [e.message, e.system])).toEqual([
      ["claims convex", "browser"],
      ["a real worker", "worker"],
    ]);
  });
});

describe("secrets and words", () => {
  it("stores no secret of the corpus from any field, and keeps plain lines word for word", async () => {
    const trace = uid();
    const entries = SECRET_LINES.map(({ text }, i) => ({
      trace_id: trace,
      id: `s${i}`,
      message: text,
      stack: text,
      ...(i % 2 ? { user_id: text.slice(0, 256) } : { source: text.slice(0, 128) }),
      context: { note: text, headers: [["cookie", text]] },
    }));
    const plain = PLAIN_LINES.map((line, i) => ({ trace_id: trace, id: `p${i}`, message: line }));
    expect((await post([...entries, ...plain])).status).toBe(202);
    const raw = JSON.stringify(await stored(trace)) + JSON.stringify(await meta(trace));
    for (const { secrets } of SECRET_LINES)
      for (const secret of secrets) expect(raw).not.toContain(JSON.stringify(secret).slice(1, -1));
    const kept = (await stored(trace)).filter((e) => String(e.id).startsWith("p")).map((e) => e.message);
    expect(kept).toEqual(PLAIN_LINES);
  });
});

describe("honest answers under faults", () => {
  it("gives entries without ids stable ones, so a blind retry of the same body stores nothing twice", async () => {
    const trace = uid();
    const body = JSON.stringify([
      { trace_id: trace, message: "one" },
      { trace_id: trace, message: "two" },
    ]);
    expect(await (await post(body)).json()).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await (await post(body)).json()).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(await stored(trace)).toHaveLength(2);
  });

  it("reports per trace when the store fails for one trace of a batch, and the retry stores each entry once", async () => {
    const good = uid();
    const broken = uid();
    // A key of the wrong type makes the store refuse that trace's write, and only that one.
    await stack.redis(["SET", `${stack.keyPrefix}logs:${broken}`, "not a list"]);
    const body = {
      batch_id: `b-${uid()}`,
      entries: [
        { trace_id: good, message: "g" },
        { trace_id: broken, message: "b" },
      ],
    };
    const res = await post(body);
    expect(res.status).toBe(503);
    const answer = await res.json();
    expect(answer).toMatchObject({ code: "store_unavailable", outcome: "unknown" });
    expect(answer.error).toMatch(/Retrying the same batch is safe/);
    expect(answer.details).toEqual([
      { trace_id: good, outcome: "stored", accepted: 1, duplicates: 0 },
      { trace_id: broken, outcome: "unknown" },
    ]);
    await stack.redis(["DEL", `${stack.keyPrefix}logs:${broken}`]);
    expect(await (await post(body)).json()).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(await stored(good)).toHaveLength(1);
  });
});
