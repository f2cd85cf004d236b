// The analysis tools through the real MCP client, on a realistic checkout failure posted through /log:
// a browser clock 4 s ahead, a Convex error that propagates to the browser, retries before the failure.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callTool, connectMcp } from "./helpers/mcp.js";
import { startTestStack, type TestStack } from "./helpers/stack.js";

let stack: TestStack;
let client: Client;
const uid = (p: string) => `${p}-${Math.random().toString(36).slice(2, 10)}`;
const BROWSER_AHEAD_MS = 4000;

async function post(body: unknown, system?: string) {
  const res = await fetch(`${stack.url}/log`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${stack.ingestToken}`,
      "content-type": "application/json",
      ...(system ? { "x-debug-logs-system": system } : {}),
    },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
}

/** Posts one checkout failure; returns the trace id. Times are real, the browser's clock is ahead. */
async function checkoutFailure(requestId: string): Promise<string> {
  const trace = uid("checkout");
  const t0 = Date.now() - 3000;
  const browser = (dt: number) => t0 + dt + BROWSER_AHEAD_MS;
  const server = (dt: number) => t0 + dt;
  await post(
    {
      // The sender's clock at the moment of sending: what a client puts in sent_at.
      sent_at: Date.now(),
      entries: [
        {
          trace_id: trace,
          id: `${trace}-c1`,
          level: "info",
          message: `checkout:create start request_id=${requestId}`,
          timestamp: server(60),
        },
        ...[1, 2, 3, 4].map((n) => ({
          trace_id: trace,
          id: `${trace}-r${n}`,
          level: "warn",
          message: "retrying payment provider",
          timestamp: server(100 + n * 80),
        })),
        {
          trace_id: trace,
          id: `${trace}-c2`,
          level: "error",
          message: `TypeError: Cannot read properties of undefined (reading 'amount') request_id=${requestId}`,
          stack:
            "TypeError: Cannot read properties of undefined (reading 'amount')\n    at createCheckout (convex/checkout.ts:42:17)\n    at handler (convex/_generated/server.js:10:3)",
          timestamp: server(520),
        },
      ],
    },
    "convex",
  );
  await post({
    sent_at: Date.now() + BROWSER_AHEAD_MS,
    entries: [
      {
        trace_id: trace,
        id: `${trace}-b1`,
        level: "info",
        message: "click checkout",
        timestamp: browser(0),
        system: "browser",
      },
      {
        trace_id: trace,
        id: `${trace}-b2`,
        level: "info",
        message: `POST /api/checkout request_id=${requestId}`,
        timestamp: browser(10),
        system: "browser",
      },
      {
        trace_id: trace,
        id: `${trace}-b3`,
        level: "error",
        system: "browser",
        message: `Checkout failed: 500 Internal Server Error (request_id=${requestId})`,
        stack: "Error: Checkout failed\n    at submit (https://app.test/assets/checkout.js:10:5)",
        timestamp: browser(600),
      },
    ],
  });
  return trace;
}

let trace: string;
let other: string;

beforeAll(async () => {
  stack = await startTestStack({ RATE_LIMIT_PER_TRACE_PER_HOUR: "100000", RATE_LIMIT_GLOBAL_PER_HOUR: "10000000" });
  client = await connectMcp(stack.url, stack.mcpToken);
  trace = await checkoutFailure("req-8f3a1b2c");
  other = await checkoutFailure("req-77aa0011");
});
afterAll(async () => {
  await client?.close();
  await stack?.stop();
});

describe("correlate_trace", () => {
  it("roots the failure in Convex, finds the propagation to the browser and the browser's clock skew", async () => {
    const { text, structured, isError } = await callTool(client, "correlate_trace", { trace_id: trace });
    expect(isError).toBe(false);
    const root = structured!.root_cause as Record<string, unknown>;
    // The first failure on the server side: the retries that preceded the TypeError.
    expect(root).toMatchObject({ id: `${trace}-r1`, system: "convex", level: "warn" });
    expect((root.evidence as string[]).join("\n")).toMatch(/retrying payment provider/);
    // What Claude Code's model reads carries the evidence behind the claim, not just the claim: the
    // failure the user saw, each step from the root to it, a confidence word with its reason, and the
    // other candidates.
    expect(root).toMatchObject({ anchor_id: `${trace}-b3`, anchor_user_visible: true });
    expect(["high", "medium", "low"]).toContain(root.confidence);
    expect(root.confidence_reason).toEqual(expect.any(String));
    const path = root.path as Array<{ from_id: string; to_id: string; evidence: string }>;
    expect(path[0]!.from_id).toBe(`${trace}-r1`);
    expect(path.at(-1)!.to_id).toBe(`${trace}-b3`);
    expect(path.map((p) => p.evidence).join("\n")).toContain('request id "req-8f3a1b2c"');
    expect((root.alternatives as Array<{ id: string }>).map((a) => a.id)).toContain(`${trace}-c2`);
    // The other failures, whole (stack included), and hops only where both sides share something.
    const failures = structured!.failures as Array<{ id: string; role: string; message: string; stack_top: string[] }>;
    expect(failures.find((f) => f.id === `${trace}-c2`)).toMatchObject({
      role: "on the path",
      message: "TypeError: Cannot read properties of undefined (reading 'amount') request_id=req-8f3a1b2c",
      stack_top: ["at createCheckout (convex/checkout.ts:42:17)", "at handler (convex/_generated/server.js:10:3)"],
    });
    expect(structured!.benign).toEqual([]);
    const hops = structured!.hops as Array<{ evidence: string }>;
    expect(hops.length).toBeGreaterThan(0);
    for (const h of hops) expect(h.evidence).toMatch(/request id|URL|id|status/);
    const chains = structured!.error_chains as Array<{ errors: string[]; propagation: string[] }>;
    expect(chains[0]!.errors).toEqual(expect.arrayContaining([`${trace}-c2`, `${trace}-b3`]));
    expect(chains[0]!.propagation.join()).toMatch(/convex -> browser/);
    const browserSkew = (structured!.skew as Array<{ system: string; skew_ms: number }>).find(
      (s) => s.system === "browser",
    );
    expect(Math.abs(browserSkew!.skew_ms - BROWSER_AHEAD_MS)).toBeLessThan(500);
    expect(structured!.summary).toMatch(/convex/i);
    expect(text).toContain(`${trace}-c2`);
    expect(text).toMatch(/retr/i);
    expect(text).toMatch(/browser clock was 4\.\d s ahead/);
  });

  it("says a healthy trace has no root cause", async () => {
    const healthy = uid("healthy");
    await post([{ trace_id: healthy, message: "page loaded", level: "info" }]);
    const { structured } = await callTool(client, "correlate_trace", { trace_id: healthy });
    expect(structured!.root_cause).toBeNull();
    expect(structured!.summary).toMatch(/no errors|healthy/i);
  });

  it("names no root cause for alarming but harmless lines, and says why each is harmless", async () => {
    const calm = uid("calm");
    await post([
      {
        trace_id: calm,
        system: "browser",
        level: "warn",
        message: "WebSocket closed with code 1006: connection lost, reconnecting",
      },
      {
        trace_id: calm,
        system: "browser",
        level: "error",
        message: "WebSocket connection to 'wss://happy-otter-123.convex.cloud/api/1.17.0/sync' failed: ",
      },
      { trace_id: calm, system: "browser", level: "info", message: "WebSocket reconnected" },
      {
        trace_id: calm,
        system: "browser",
        level: "error",
        message: 'Warning: Each child in a list should have a unique "key" prop.',
      },
    ]);
    const { structured } = await callTool(client, "correlate_trace", { trace_id: calm });
    expect(structured!.root_cause).toBeNull();
    const benign = structured!.benign as Array<{ message: string; reason: string }>;
    const reasonOf = (start: string) => benign.find((b) => b.message.startsWith(start))?.reason;
    expect(reasonOf("WebSocket connection to")).toMatch(/^an attempt that recovered/);
    expect(reasonOf("WebSocket closed")).toMatch(/^a dropped connection the client re-established/);
    expect(reasonOf("Warning: Each child")).toMatch(/React development warning/);
    expect(structured!.summary).toMatch(/Looked alarming, judged benign/);
  });

  it("explains an unknown trace and a bad argument", async () => {
    const missing = await callTool(client, "correlate_trace", { trace_id: "not-a-trace" });
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/No trace 'not-a-trace'.*list_traces/);
    const bad = await callTool(client, "correlate_trace", { trace_id: "bad id with spaces" });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/trace_id/);
  });
});

describe("get_trace", () => {
  it("returns entries in corrected order with repeats folded", async () => {
    const { text, structured } = await callTool(client, "get_trace", { trace_id: trace });
    const entries = structured!.entries as Array<{ id: string; count?: number; last_id?: string }>;
    const ids = entries.map((e) => e.id);
    // Nine entries, the four identical retries folded into one row.
    expect(ids).toHaveLength(6);
    expect(entries.find((e) => e.id === `${trace}-r1`)).toMatchObject({ count: 4, last_id: `${trace}-r4` });
    // Corrected for the browser's 4 s lead, the click comes first and the Convex error before the browser's.
    expect(ids[0]).toBe(`${trace}-b1`);
    expect(ids.indexOf(`${trace}-c2`)).toBeLessThan(ids.indexOf(`${trace}-b3`));
    expect(text).toMatch(/"retrying payment provider".*x4/);
    expect(structured!.page).toMatchObject({ from: 1, to: 9, of: 9, rows: 6 });
    expect(structured!.page).not.toHaveProperty("next_cursor");
  });

  it("filters by level and text and pages with a cursor", async () => {
    const errors = await callTool(client, "get_trace", { trace_id: trace, levels: ["error"] });
    expect((errors.structured!.entries as Array<{ id: string }>).map((e) => e.id)).toEqual([
      `${trace}-c2`,
      `${trace}-b3`,
    ]);
    const text = await callTool(client, "get_trace", { trace_id: trace, text: "CLICK" });
    expect(text.structured!.matching).toBe(1);
    const page1 = await callTool(client, "get_trace", { trace_id: trace, limit: 2 });
    const cursor = (page1.structured!.page as { next_cursor: string }).next_cursor;
    expect(cursor).toBeTruthy();
    expect(page1.text).toContain(cursor);
    const page2 = await callTool(client, "get_trace", { trace_id: trace, limit: 2, cursor });
    expect((page2.structured!.entries as Array<{ id: string }>)[0]!.id).not.toBe(
      (page1.structured!.entries as Array<{ id: string }>)[0]!.id,
    );
    const wrongScope = await callTool(client, "get_trace", { trace_id: trace, limit: 2, levels: ["error"], cursor });
    expect(wrongScope.isError).toBe(true);
    expect(wrongScope.text).toMatch(/cursor belongs to a different query/);
  });

  it("keeps a 3,000-entry trace within the token budget and says what was left out", async () => {
    const noisy = uid("noisy");
    for (let batch = 0; batch < 6; batch++) {
      await post(
        Array.from({ length: 500 }, (_, i) => ({
          trace_id: noisy,
          level: i % 97 === 0 ? "error" : "info",
          message: `request ${batch * 500 + i} handled in ${i % 13} ms for /api/items/${i}`,
        })),
        "worker",
      );
    }
    const { text, structured, model } = await callTool(client, "get_trace", { trace_id: noisy });
    expect((structured!.trace as { read: number }).read).toBe(3000);
    expect(text.length / 4).toBeLessThan(8000);
    expect(model.length / 4).toBeLessThan(8000);
    expect(structured!.page).toHaveProperty("next_cursor");
    expect(text).toMatch(/after it\. Continue with cursor/);
    const report = await callTool(client, "correlate_trace", { trace_id: noisy });
    expect(report.text.length / 4).toBeLessThan(8000);
    expect(report.model.length / 4).toBeLessThan(8000);
  });
});

describe("list_errors", () => {
  it("groups the same error with different ids across traces, keeps different errors apart", async () => {
    const { text, structured } = await callTool(client, "list_errors", { since_minutes: 10 });
    const groups = structured!.groups as Array<{
      count: number;
      systems: string[];
      trace_ids: string[];
      message: string;
    }>;
    const typeErrors = groups.filter((g) => g.message.includes("reading 'amount'"));
    expect(typeErrors).toHaveLength(1);
    expect(typeErrors[0]!.trace_ids).toEqual(expect.arrayContaining([trace, other]));
    expect(typeErrors[0]!.count).toBeGreaterThanOrEqual(2);
    const browserGroup = groups.find((g) => g.message.startsWith("Checkout failed"));
    expect(browserGroup?.systems).toEqual(["browser"]);
    expect(text).toContain(trace);
    const convexOnly = await callTool(client, "list_errors", { system: "convex" });
    expect(
      (convexOnly.structured!.groups as Array<{ systems: string[] }>).every((g) => g.systems.includes("convex")),
    ).toBe(true);
    const oneTrace = await callTool(client, "list_errors", { trace_id: trace });
    expect(oneTrace.structured!.total_errors).toBe(2);
  });
});

describe("search_logs", () => {
  it("finds entries by text and by regex, with their trace ids", async () => {
    const byText = await callTool(client, "search_logs", { query: "req-8f3a1b2c" });
    const hits = byText.structured!.hits as Array<{ trace_id: string }>;
    expect(hits.length).toBe(4);
    expect(new Set(hits.map((h) => h.trace_id))).toEqual(new Set([trace]));
    expect(byText.text).toContain(trace);
    const byRegex = await callTool(client, "search_logs", { regex: "request_id=req-(8f3a|77aa)", levels: ["error"] });
    expect(byRegex.structured!.total).toBe(4);
    const dangerous = await callTool(client, "search_logs", { regex: "(a+)+$" });
    expect(dangerous.isError).toBe(true);
    expect(dangerous.text).toMatch(/regex/i);
    const nothing = await callTool(client, "search_logs", {});
    expect(nothing.isError).toBe(true);
  });
});

describe("resource and prompt", () => {
  it("reads trace://{trace_id} as JSON and offers the debug_trace prompt", async () => {
    const res = await client.readResource({ uri: `trace://${trace}` });
    const body = JSON.parse((res.contents[0] as { text: string }).text);
    expect(body.trace_id).toBe(trace);
    expect(body.note).toMatch(/data written by the app and its users/);
    expect(body.entries).toHaveLength(9);
    expect(body.summary.error_count).toBe(2);
    const prompt = await client.getPrompt({ name: "debug_trace", arguments: { symptom: "checkout does nothing" } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    expect(text).toMatch(/list_errors[\s\S]*correlate_trace[\s\S]*get_trace/);
    expect(text).toContain("checkout does nothing");
  });
});
