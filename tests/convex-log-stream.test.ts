// POST /convex/log-stream end to end: bodies in Convex's documented formats, signed as Convex signs them, through
// the Worker in workerd over a real Redis; the request-id join in both arrival orders; and one trace combining the
// browser, log-stream Convex events and a Worker, analysed by correlate_trace through the real MCP client.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditLogEvent,
  consoleEvent,
  executionEvent,
  legacyConsoleEvent,
  legacyExecutionEvent,
  logStreamBody,
  signBody,
  verificationEvent,
} from "../core/convex/fixtures.js";
import { callTool, connectMcp } from "./helpers/mcp.js";
import { startTestStack, type TestStack } from "./helpers/stack.js";

const SECRET = "whsec_convex-test-secret-ü";
let stack: TestStack;
let client: Client;
const uid = (p: string) => `${p}-${Math.random().toString(36).slice(2, 10)}`;
const hex = () => Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join("");

beforeAll(async () => {
  stack = await startTestStack({
    CONVEX_LOG_STREAM_SECRET: SECRET,
    RATE_LIMIT_PER_TRACE_PER_HOUR: "100000",
    RATE_LIMIT_GLOBAL_PER_HOUR: "10000000",
  });
  client = await connectMcp(stack.url, stack.mcpToken);
});
afterAll(async () => {
  await client?.close();
  await stack?.stop();
});

async function stream(events: unknown[], format: "json" | "jsonl" = "jsonl", signature?: string | null) {
  const body = logStreamBody(events, format);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const sig = signature === undefined ? await signBody(SECRET, body) : signature;
  if (sig !== null) headers["x-webhook-signature"] = sig;
  const res = await fetch(`${stack.url}/convex/log-stream`, { method: "POST", headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function postLog(body: unknown) {
  const res = await fetch(`${stack.url}/log`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.ingestToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as Record<string, unknown>;
}

interface Stored {
  id: string;
  system: string;
  level: string;
  message: string;
  source?: string;
  context: { convex?: Record<string, unknown>; correlation: { method: string; request_id?: string; evidence: string } };
}
/** A trace's stored entries through the JSON API (null when there is none). */
async function entries(traceId: string): Promise<Stored[] | null> {
  const res = await fetch(`${stack.url}/api/traces/${traceId}?download=1`, {
    headers: { authorization: `Bearer ${stack.mcpToken}` },
  });
  if (res.status === 404) return null;
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: Stored[] }).entries;
}

const browserError = (trace: string, requestId: string, path = "payments:createPaymentIntent") => ({
  trace_id: trace,
  system: "browser",
  level: "error",
  message: `[CONVEX M(${path})] [Request ID: ${requestId}] Server Error\nUncaught Error: card declined`,
  timestamp: Date.now(),
});

describe("POST /convex/log-stream: signatures and formats", () => {
  it("answers Convex's verification event with 200 and stores nothing", async () => {
    const res = await stream([verificationEvent()], "json");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 0, ignored: { verification: 1 } });
  });

  it("refuses unsigned and wrongly signed bodies with 401 and stores nothing", async () => {
    const trace = uid("sig");
    const events = [consoleEvent({ path: "a:b", requestId: hex() }, "LOG", `hi trace_id=${trace}`)];
    const unsigned = await stream(events, "jsonl", null);
    expect(unsigned).toEqual({ status: 401, body: { error: expect.stringMatching(/missing/) } });
    const wrongKey = await stream(events, "jsonl", await signBody("another secret", logStreamBody(events, "jsonl")));
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.error).toMatch(/does not match/);
    // Signed for other bytes: the same events as a JSON array instead of lines.
    const otherBytes = await stream(events, "jsonl", await signBody(SECRET, logStreamBody(events, "json")));
    expect(otherBytes.status).toBe(401);
    expect((await stream(events, "jsonl", "sha256=xyz")).status).toBe(401);
    expect(await entries(trace)).toBeNull();
  });

  it.each(["json", "jsonl"] as const)(
    "stores a %s body in the trace the function logged, once, however often it is delivered",
    async (format) => {
      const trace = uid("logged");
      const requestId = hex();
      const fn = { path: "payments:createPaymentIntent", requestId };
      const events = [
        consoleEvent(fn, "INFO", `'creating intent' { trace_id: '${trace}', amount: 42 }`),
        executionEvent(fn, { error: "Uncaught Error: card declined\n    at handler (../convex/payments.ts:9:11)" }),
        auditLogEvent(),
      ];
      const first = await stream(events, format);
      expect(first).toEqual({
        status: 200,
        body: {
          accepted: 2,
          duplicates: 0,
          dropped: {},
          ignored: { audit_log: 1 },
          placed: { logged_trace_id: 1, convex_request_id: 1 },
        },
      });
      const again = await stream(events, format);
      expect(again.body).toMatchObject({ accepted: 0, duplicates: 2 });
      const stored = await entries(trace);
      expect(stored).toHaveLength(2);
      expect(stored![1]).toMatchObject({
        system: "convex",
        level: "error",
        source: "payments:createPaymentIntent",
        message: "payments:createPaymentIntent failed: Uncaught Error: card declined",
        context: {
          request_id: requestId,
          convex: { status: "failure", deployment: "tremendous-otter-123" },
          correlation: {
            method: "convex_request_id",
            evidence: `joined by Convex request id ${requestId}, whose function logged trace_id=${trace}`,
          },
        },
      });
      expect(stored![0]!.context.correlation.evidence).toBe(`the function logged trace_id=${trace}`);
    },
  );

  it("stores a successful execution only where its request belongs to a trace", async () => {
    const trace = uid("success");
    const inTrace = { path: "orders:place", requestId: hex() };
    const alone = { path: "orders:touch", requestId: hex() };
    const res = await stream([
      consoleEvent(inTrace, "LOG", `'placing' trace_id=${trace}`),
      executionEvent(inTrace, { executionTimeMs: 31 }),
      executionEvent(alone, {}),
    ]);
    expect(res.body).toMatchObject({ accepted: 2, ignored: { success_not_joined: 1 } });
    expect((await entries(trace))!.map((e) => [e.level, e.message])).toEqual([
      ["log", `'placing' trace_id=${trace}`],
      ["debug", "mutation orders:place succeeded in 31 ms"],
    ]);
    expect(await entries(`convex-${alone.requestId}`)).toBeNull();
  });

  it("reads the legacy format: a logged trace id places it, without one it is untraced but found", async () => {
    const trace = uid("legacy");
    const marker = uid("legacy-marker");
    const res = await stream([
      legacyConsoleEvent("messages:send", "WARN", `'slow' trace_id=${trace}`),
      legacyExecutionEvent("messages:send", `Uncaught Error: ${marker}`),
    ]);
    expect(res.body).toMatchObject({ accepted: 2, placed: { logged_trace_id: 1, not_joined: 1 } });
    expect((await entries(trace))!.map((e) => [e.level, e.message])).toEqual([["warn", `'slow' trace_id=${trace}`]]);
    const found = await callTool(client, "search_logs", { query: marker });
    expect(found.text).toContain("convex-untraced");
  });
});

describe("the Convex request-id join", () => {
  it("browser first: later Convex events land in the browser's trace, with the evidence", async () => {
    const trace = uid("browser-first");
    const requestId = hex();
    await postLog([browserError(trace, requestId)]);
    const fn = { path: "payments:createPaymentIntent", requestId };
    const res = await stream([
      consoleEvent(fn, "LOG", "'charging card'"),
      executionEvent(fn, { error: "Uncaught Error: card declined" }),
    ]);
    expect(res.body).toMatchObject({ accepted: 2, placed: { convex_request_id: 2 } });
    const stored = (await entries(trace))!;
    expect(stored.map((e) => e.system)).toEqual(["browser", "convex", "convex"]);
    expect(stored[2]!.context.correlation).toEqual({
      method: "convex_request_id",
      request_id: requestId,
      evidence: `joined by Convex request id ${requestId}`,
    });
    expect(await entries(`convex-${requestId}`)).toBeNull();
  });

  it("Convex first: events wait in the request's own trace, found by search_logs and list_errors, then join", async () => {
    const trace = uid("convex-first");
    const requestId = hex();
    const marker = uid("declined");
    const fn = { path: "payments:createPaymentIntent", requestId };
    const early = await stream([
      consoleEvent(fn, "LOG", "'charging card'"),
      executionEvent(fn, { error: `Uncaught Error: ${marker}` }),
    ]);
    expect(early.body).toMatchObject({ accepted: 2, placed: { not_joined: 2 } });
    const held = (await entries(`convex-${requestId}`))!;
    expect(held[1]!.context.correlation.evidence).toMatch(/no trace has named Convex request id/);
    expect((await callTool(client, "search_logs", { query: marker })).text).toContain(`convex-${requestId}`);
    const errors = await callTool(client, "list_errors", { trace_id: `convex-${requestId}` });
    expect(errors.text).toContain(marker);

    await postLog([browserError(trace, requestId)]);
    const joined = (await entries(trace))!;
    expect(joined.map((e) => [e.system, e.level])).toEqual([
      ["browser", "error"],
      ["convex", "log"],
      ["convex", "error"],
    ]);
    expect(joined[2]!.context.correlation.evidence).toBe(`joined by Convex request id ${requestId}`);
    // A second mention copies nothing again; events after the join go straight to the trace.
    await postLog([browserError(trace, requestId)]);
    await stream([consoleEvent(fn, "WARN", "'late line'")]);
    expect((await entries(trace))!.map((e) => e.message).filter((m) => m.includes("charging"))).toHaveLength(1);
    expect((await entries(trace))!.at(-1)!.message).toBe("'late line'");
  });

  it("costs one command to resolve plus one per trace; POST /log pays for the join only when it names a request", async () => {
    const a = uid("cost-a");
    const b = uid("cost-b");
    const held = hex();
    const events = [
      consoleEvent({ path: "x:a", requestId: hex() }, "LOG", `'a' trace_id=${a}`),
      consoleEvent({ path: "x:b", requestId: hex() }, "LOG", `'b' trace_id=${b}`),
      consoleEvent({ path: "x:c", requestId: held }, "LOG", "'c'"),
    ];
    const body = logStreamBody(events, "jsonl");
    const signature = await signBody(SECRET, body);
    stack.resetCommandCount();
    await fetch(`${stack.url}/convex/log-stream`, {
      method: "POST",
      headers: { "x-webhook-signature": signature },
      body,
    });
    // The resolve script, then three traces (a, b and convex-<request id of c>).
    expect(stack.commandCount()).toBe(4);
    stack.resetCommandCount();
    await postLog([{ trace_id: a, message: "no request id here" }]);
    expect(stack.commandCount()).toBe(1);
    // Naming a held request: the batch, the join, and the copy into the trace.
    stack.resetCommandCount();
    await postLog([browserError(a, held)]);
    expect(stack.commandCount()).toBe(3);
    expect((await entries(a))!.map((e) => e.message)).toContain("'c'");
  });
});

describe("a batch spanning many Convex requests", () => {
  it("stores every event, one command per trace, beyond POST /log's trace limit per request", async () => {
    const ids = Array.from({ length: 20 }, hex);
    const events = ids.map((requestId, i) => consoleEvent({ path: "x:many", requestId }, "LOG", `'line ${i}'`));
    const body = logStreamBody(events, "jsonl");
    const signature = await signBody(SECRET, body);
    stack.resetCommandCount();
    const res = await fetch(`${stack.url}/convex/log-stream`, {
      method: "POST",
      headers: { "x-webhook-signature": signature },
      body,
    });
    expect(await res.json()).toMatchObject({ accepted: 20, dropped: {} });
    expect(stack.commandCount()).toBe(21);
    expect((await entries(`convex-${ids[19]}`))!.map((e) => e.message)).toEqual(["'line 19'"]);
  });
});

describe("one trace across browser, Convex log stream and a Worker", () => {
  it("correlate_trace names the failing mutation", async () => {
    const trace = uid("checkout");
    const requestId = hex();
    const t0 = Date.now() - 2000;
    const fn = { path: "payments:createPaymentIntent", requestId };
    await postLog({
      sent_at: Date.now(),
      entries: [
        { trace_id: trace, id: `${trace}-b1`, system: "browser", level: "info", message: "click pay", timestamp: t0 },
      ],
    });
    await postLog([
      {
        trace_id: trace,
        id: `${trace}-w1`,
        system: "worker",
        level: "info",
        message: "POST /api/pay proxied to Convex",
        timestamp: t0 + 20,
      },
    ]);
    await stream([
      consoleEvent(fn, "INFO", "'creating payment intent'", t0 + 40),
      executionEvent(
        fn,
        { error: "Uncaught Error: card declined\n    at handler (../convex/payments.ts:9:11)" },
        t0 + 60,
      ),
    ]);
    await postLog({
      sent_at: Date.now(),
      entries: [{ ...browserError(trace, requestId), id: `${trace}-b2`, timestamp: t0 + 120 }],
    });
    const stored = (await entries(trace))!;
    expect(stored.map((e) => e.system).sort()).toEqual(["browser", "browser", "convex", "convex", "worker"]);

    const { text, structured, isError } = await callTool(client, "correlate_trace", { trace_id: trace });
    expect(isError).toBe(false);
    const root = structured!.root_cause as { system: string; message: string; source?: string };
    expect(root.system).toBe("convex");
    expect(root.message).toContain("payments:createPaymentIntent failed: Uncaught Error: card declined");
    expect(text).toContain("payments:createPaymentIntent");
    expect(structured!.summary).toMatch(/convex/);
    // The browser's "[Request ID: ...]" and the Convex events' request id tie the chain together.
    const chains = structured!.error_chains as Array<{ systems: string[]; evidence: string[] }>;
    expect(chains[0]!.systems).toEqual(expect.arrayContaining(["convex", "browser"]));
    expect(chains[0]!.evidence.join("\n")).toContain(requestId);
  });
});
