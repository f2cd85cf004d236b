import { describe, expect, it } from "vitest";
import { requestIdsIn } from "./ingest.js";
import {
  auditLogEvent,
  consoleEvent,
  executionEvent,
  legacyConsoleEvent,
  legacyExecutionEvent,
  logStreamBody,
  schedulerStatsEvent,
  verificationEvent,
} from "./fixtures.js";
import { loggedTraceId, parseLogStream } from "./log-stream.js";

const pay = { path: "payments:createPaymentIntent", requestId: "8f2a1c9d4e5b6a70" };

describe("parseLogStream", () => {
  it.each(["json", "jsonl"] as const)("maps console and failed executions, %s format", async (format) => {
    const body = logStreamBody(
      [
        consoleEvent(pay, "WARN", "'card declined, retrying'", 1000),
        executionEvent(
          pay,
          { error: "Uncaught Error: card declined\n    at handler (../convex/payments.ts:12:9)", willRetry: true },
          1010,
        ),
      ],
      format,
    );
    const parsed = await parseLogStream(body);
    expect(parsed.ignored).toEqual({});
    const [log, failure] = parsed.events;
    expect(log!.requestId).toBe("8f2a1c9d4e5b6a70");
    expect(log!.entry).toMatchObject({
      system: "convex",
      source: "payments:createPaymentIntent",
      level: "warn",
      message: "'card declined, retrying'",
      timestamp: 1000,
    });
    // Nulls are dropped; the request id and the deployment stay.
    expect(log!.entry.context).toEqual({
      request_id: "8f2a1c9d4e5b6a70",
      convex: {
        function_type: "mutation",
        mutation_queue_length: 0,
        mutation_retry_count: 0,
        is_truncated: false,
        deployment: "tremendous-otter-123",
        deployment_type: "prod",
        project: "shop",
      },
    });
    expect(failure!.entry).toMatchObject({
      level: "error",
      message: "payments:createPaymentIntent failed: Uncaught Error: card declined (Convex will retry it)",
      stack: "    at handler (../convex/payments.ts:12:9)",
    });
    expect(failure!.entry.context!.convex).toMatchObject({
      status: "failure",
      will_retry: true,
      execution_time_ms: 12,
    });
  });

  it("keeps OCC details and counts what it does not store", async () => {
    const occ = { table_name: "orders", document_id: "k57abc", write_source: "orders:update", retry_count: 2 };
    const parsed = await parseLogStream(
      logStreamBody(
        [
          verificationEvent(),
          auditLogEvent(),
          schedulerStatsEvent(),
          executionEvent({ path: "orders:list", type: "query", requestId: "aa11" }, {}),
          executionEvent(pay, { error: 'Documents read from or written to the "orders" table changed', occ }),
          { topic: "console", timestamp: 1 },
          42,
        ],
        "json",
      ),
    );
    expect(parsed.verification).toBe(true);
    expect(parsed.ignored).toEqual({
      verification: 1,
      audit_log: 1,
      scheduler_stats: 1,
      function_execution_query_success: 1,
      console_malformed: 1,
      malformed: 1,
    });
    expect(parsed.events).toHaveLength(1);
    expect(parsed.events[0]!.entry.context!.convex).toMatchObject({ occ_info: occ });
  });

  it("reads the legacy format, which has no request id", async () => {
    const parsed = await parseLogStream(
      logStreamBody(
        [
          legacyConsoleEvent("messages:send", "ERROR", "'boom' trace_id=legacy-1", 5),
          legacyExecutionEvent("messages:send", "Uncaught Error: boom\n    at send"),
          { _topic: "_verification", _timestamp: 1, message: "Convex connection test" },
        ],
        "jsonl",
      ),
    );
    expect(parsed.verification).toBe(true);
    expect(parsed.events.map((e) => [e.entry.level, e.entry.message, e.requestId, e.loggedTraceId])).toEqual([
      ["error", "'boom' trace_id=legacy-1", undefined, "legacy-1"],
      ["error", "messages:send failed: Uncaught Error: boom", undefined, undefined],
    ]);
  });

  it("derives ids from content: a redelivery gets the same ids, repeats in one body do not collide", async () => {
    const events = [consoleEvent(pay, "LOG", "'tick'", 7), consoleEvent(pay, "LOG", "'tick'", 7)];
    const first = await parseLogStream(logStreamBody(events, "json"));
    const again = await parseLogStream(logStreamBody(events, "jsonl"));
    expect(first.events.map((e) => e.id)).toEqual(again.events.map((e) => e.id));
    expect(new Set(first.events.map((e) => e.id)).size).toBe(2);
    expect(first.events[0]!.id).toMatch(/^cx-[0-9a-f]{32}$/);
  });

  it("refuses bodies Convex never sends", async () => {
    await expect(parseLogStream("")).rejects.toThrow(/empty/);
    await expect(parseLogStream("[{")).rejects.toThrow(/Malformed JSON in the body/);
    await expect(parseLogStream('{"topic":"console"}\n{oops')).rejects.toThrow(/line 2/);
    const many = Array.from({ length: 129 }, () => verificationEvent());
    await expect(parseLogStream(logStreamBody(many, "jsonl"))).rejects.toMatchObject({ status: 413 });
    await expect(parseLogStream(logStreamBody(many, "json"))).rejects.toMatchObject({ status: 413 });
  });
});

describe("trace and request ids in messages", () => {
  it("finds a logged trace id in the forms console.log produces", () => {
    expect(loggedTraceId("charging trace_id=abc-123")).toBe("abc-123");
    expect(loggedTraceId("'charging' { trace_id: 'abc-123', amount: 5 }")).toBe("abc-123");
    expect(loggedTraceId('{"traceId":"abc.1"}')).toBe("abc.1");
    expect(loggedTraceId("no trace here")).toBeUndefined();
  });

  it("finds the Convex request ids a browser entry names", () => {
    const entry = {
      id: "b1",
      trace_id: "t1",
      system: "browser" as const,
      level: "error" as const,
      message: "[CONVEX M(payments:createPaymentIntent)] [Request ID: 8f2a1c9d] Server Error\nUncaught Error: declined",
      timestamp: 1,
      received_at: 1,
      context: { convex_request_id: "77aa" },
    };
    expect(requestIdsIn(entry)).toEqual(["8f2a1c9d", "77aa"]);
  });
});
