// The MCP server through the real SDK client against the Worker in workerd with a real Redis.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callTool, connectMcp } from "./helpers/mcp.js";
import { startTestStack, type TestStack } from "./helpers/stack.js";

let stack: TestStack;
let client: Client;
const uid = () => `m-${Math.random().toString(36).slice(2, 10)}`;

async function ingest(entries: unknown[], headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}/log`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.ingestToken}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(entries),
  });
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  stack = await startTestStack({ RATE_LIMIT_PER_TRACE_PER_HOUR: "50", PIN_MAX_SECONDS: "86400" });
  client = await connectMcp(stack.url, stack.mcpToken);
});
afterAll(async () => {
  await client?.close();
  await stack?.stop();
});

describe("MCP access", () => {
  const init = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
  };
  const postMcp = (headers: Record<string, string>) =>
    fetch(`${stack.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify(init),
    });

  it("401 with WWW-Authenticate without a token or with a wrong one", async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer wrong" },
      { authorization: `Basic ${stack.mcpToken}` },
    ]) {
      const res = await postMcp(headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect((await res.json()).error).toMatch(/token|Authorization/);
    }
  });

  it("accepts the right token and rejects a hostile Origin", async () => {
    expect((await postMcp({ authorization: `Bearer ${stack.mcpToken}` })).status).toBe(200);
    const hostile = await postMcp({ authorization: `Bearer ${stack.mcpToken}`, origin: "https://evil.test" });
    expect(hostile.status).toBe(403);
  });

  it("points a legacy /sse client at /mcp", async () => {
    const res = await fetch(`${stack.url}/sse`);
    expect(res.status).toBe(410);
    expect((await res.json()).error).toContain("/mcp");
  });

  it("lists the tools with descriptions, annotations and schemas", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(["list_traces", "list_errors", "correlate_trace", "get_trace", "search_logs", "pin_trace"]);
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(tool.description!.length).toBeGreaterThan(80);
      expect(tool.description!.length).toBeLessThan(1200);
      expect(tool.description).toMatch(/Example/);
      expect(tool.annotations).toBeDefined();
      expect(tool.outputSchema).toBeDefined();
      expect(
        Object.keys((tool.inputSchema as { properties: object }).properties).every((k) => /^[a-z_]+$/.test(k)),
      ).toBe(true);
    }
  });
});

describe("list_traces", () => {
  it("lists recent traces newest first with counts, errors, users and drops", async () => {
    const older = uid();
    const newer = uid();
    await ingest([{ trace_id: older, message: "a", user_id: "u-1" }]);
    await ingest(
      Array.from({ length: 55 }, (_, i) => ({ trace_id: newer, message: `m${i}`, level: i === 0 ? "error" : "info" })),
      { "x-debug-logs-system": "convex" },
    );
    const { text, structured, isError } = await callTool(client, "list_traces", { limit: 50 });
    expect(isError).toBe(false);
    const traces = structured!.traces as Array<Record<string, unknown>>;
    const ids = traces.map((t) => t.trace_id);
    expect(ids.indexOf(newer)).toBeLessThan(ids.indexOf(older));
    // The error, and info entries up to the unreserved 80% of the limit of 50 (RATE_LIMIT_RESERVE_PERCENT).
    expect(traces.find((t) => t.trace_id === newer)).toMatchObject({
      count: 40,
      error_count: 1,
      by_system: { convex: 40 },
      dropped: [{ system: "convex", reason: "rate_limit_trace", count: 15 }],
    });
    expect(traces.find((t) => t.trace_id === older)).toMatchObject({ users: ["u-1"], error_count: 0 });
    expect(text).toContain(`${newer} |`);
    expect(text).toContain('15 convex by "rate_limit_trace"');
    expect(text).toContain('users: "u-1"');
  });

  it("filters and pages with a cursor", async () => {
    const withError = uid();
    await ingest([{ trace_id: withError, message: "bad", level: "error" }]);
    const errorsOnly = await callTool(client, "list_traces", { has_errors: true });
    const list = errorsOnly.structured!.traces as Array<{ error_count: number }>;
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((t) => t.error_count > 0)).toBe(true);
    const page1 = await callTool(client, "list_traces", { limit: 1 });
    const cursor = (page1.structured!.page as { next_cursor?: string }).next_cursor;
    expect(cursor).toBeTruthy();
    expect(page1.text).toContain(`Continue with cursor "${cursor}"`);
    const page2 = await callTool(client, "list_traces", { limit: 1, cursor });
    expect((page2.structured!.traces as Array<{ trace_id: string }>)[0]!.trace_id).not.toBe(
      (page1.structured!.traces as Array<{ trace_id: string }>)[0]!.trace_id,
    );
    const bad = await callTool(client, "list_traces", { cursor: "garbage" });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/cursor/);
  });
});

describe("pin_trace", () => {
  it("extends retention, unpins, and explains an unknown trace", async () => {
    const t = uid();
    await ingest([{ trace_id: t, message: "keep me" }]);
    const pinned = await callTool(client, "pin_trace", { trace_id: t, hours: 24 });
    expect(pinned.structured).toMatchObject({ trace_id: t, pinned: true, ttl_seconds: 86400 });
    expect(Number(await stack.redis(["TTL", `${stack.keyPrefix}logs:${t}`]))).toBeGreaterThan(86000);
    const unpinned = await callTool(client, "pin_trace", { trace_id: t, hours: 0 });
    expect(unpinned.structured).toMatchObject({ pinned: false, ttl_seconds: 3600 });
    const tooLong = await callTool(client, "pin_trace", { trace_id: t, hours: 48 });
    expect(tooLong.isError).toBe(true);
    expect(tooLong.text).toMatch(/at most 24/);
    const missing = await callTool(client, "pin_trace", { trace_id: "no-such-trace" });
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/No trace 'no-such-trace'.*list_traces/);
  });
});
