// Tail Workers end to end in the local runtime: the example producer (dev/tail-producer, tail_consumers =
// debug-logs) runs beside the Worker; its console calls, exception and outcome reach get_trace through tail().
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomHex } from "../clients/shared/ids.js";
import { callTool, connectMcp } from "./helpers/mcp.js";
import { startTestStack, type TestStack } from "./helpers/stack.js";

let stack: TestStack;
let client: Client;

beforeAll(async () => {
  stack = await startTestStack({}, { tailProducer: true });
  client = await connectMcp(stack.url, stack.mcpToken);
});
afterAll(async () => {
  await client?.close();
  await stack?.stop();
});

function send(query: string, headers: Record<string, string>, body: unknown) {
  return fetch(`${stack.producerUrl}/send${query}`, { method: "POST", headers, body: JSON.stringify(body) });
}

/** Tail events arrive after the producer answered: wait (bounded) until the trace holds `count` entries. */
async function storedEntries(traceId: string, count: number): Promise<Array<Record<string, unknown>>> {
  const key = `${stack.keyPrefix}logs:${traceId}`;
  for (let attempt = 0; attempt < 200; attempt++) {
    const items = (await stack.redis(["LRANGE", key, "0", "-1"])) as string[];
    const entries = items.flatMap((item) => JSON.parse(item) as Array<Record<string, unknown>>);
    if (entries.length >= count) return entries;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`trace ${traceId} did not reach ${count} entries`);
}

describe("the tail() handler", () => {
  it("stores a producer's console calls, exception and outcome under the request's traceparent", async () => {
    const traceId = randomHex(16);
    const spanId = randomHex(8);
    // The first write loads the script; the count below is of the tail call's writes alone.
    await fetch(`${stack.url}/log`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.ingestToken}`, "content-type": "application/json" },
      body: JSON.stringify({ trace_id: "warm-up", message: "load the script" }),
    });
    const before = await stack.commandStats();
    const res = await send(
      "?fail=1",
      { traceparent: `00-${traceId}-${spanId}-01` },
      { to: "ann@example.com", subject: "key sk_live_abcdefghijklmnop1234" },
    );
    expect(res.status).toBe(500);
    const stored = await storedEntries(traceId, 4);
    expect(stored.map((e) => [e.system, e.level, e.message])).toEqual([
      ["worker", "log", 'email: sending {"to":"ann@example.com","subject":"key [REDACTED]"}'],
      ["worker", "warn", "email: provider answered 421, giving up after 3 tries"],
      ["worker", "error", "Error: SMTP relay refused the message: 421 try again later"],
      ["worker", "error", expect.stringMatching(/^worker: POST \/send( -> 500)? \(outcome exception\)$/)],
    ]);
    expect(stored[2]!.stack).toContain("worker.js");
    expect(stored[3]!.context).toMatchObject({ outcome: "exception" });
    for (const entry of stored) {
      expect(entry).toMatchObject({ trace_id: traceId, span_id: spanId, url: `${stack.producerUrl}/send?fail=1` });
    }
    expect(JSON.stringify(stored)).not.toContain("sk_live_");
    const after = await stack.commandStats();
    // One tail call, one trace: one script run (the first one also loads the script).
    if (before && after) expect((after.evalsha ?? 0) - (before.evalsha ?? 0)).toBe(1);

    // Beside the browser's line of the same trace, in get_trace and correlate_trace.
    await fetch(`${stack.url}/log`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.ingestToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        trace_id: traceId,
        system: "browser",
        level: "error",
        message: "could not send the email",
      }),
    });
    const { structured } = await callTool(client, "get_trace", { trace_id: traceId });
    const systems = (structured!.entries as Array<{ system: string }>).map((e) => e.system);
    expect(systems.filter((s) => s === "worker")).toHaveLength(4);
    expect(systems).toContain("browser");
    const report = await callTool(client, "correlate_trace", { trace_id: traceId });
    expect(report.text).toMatch(/5 entries from (worker, browser|browser, worker)/);
    expect(report.text).toContain("SMTP relay refused");
  });

  it("gives an invocation without a trace its own derived trace, listed by list_traces", async () => {
    const res = await send("?fail=1", {}, { to: "bob@example.com" });
    expect(res.status).toBe(500);
    let found: { trace_id: string } | undefined;
    for (let attempt = 0; attempt < 200 && !found; attempt++) {
      const { structured } = await callTool(client, "list_traces", { system: "worker", limit: 50 });
      const traces = (structured?.traces ?? []) as Array<{ trace_id: string }>;
      found = traces.find((t) => /^worker-[0-9a-z]+-[0-9a-z]+$/.test(t.trace_id));
      if (!found) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(found).toBeDefined();
    const stored = await storedEntries(found!.trace_id, 4);
    expect(stored[0]!.message).toBe('email: sending {"to":"bob@example.com","subject":""}');
    expect(stored.at(-1)!.message).toMatch(/outcome exception/);
  });

  it("uses the X-Trace-Id header when there is no traceparent, and records a traced success", async () => {
    const traceId = `order-${randomHex(4)}`;
    expect((await send("", { "x-trace-id": traceId }, { to: "cy@example.com" })).status).toBe(200);
    const stored = await storedEntries(traceId, 3);
    expect(stored.map((e) => [e.level, e.message])).toEqual([
      ["log", 'email: sending {"to":"cy@example.com","subject":""}'],
      ["info", "email: queued with the provider"],
      ["info", expect.stringMatching(/^worker: POST \/send( -> 200)? \(outcome ok\)$/)],
    ]);
  });
});
