// The OTLP mapping on its own: ids, severities, bodies, attributes, exceptions, resources, timestamps, limits.
import { describe, expect, it } from "vitest";
import { levelOf, mapOtlpLogs } from "./otlp.js";

const TRACE = "4BF92F3577B34DA6A3CE929D0E0E4736";
const map = (records: unknown[], resource: unknown[] = []) =>
  mapOtlpLogs(
    {
      resourceLogs: [
        { resource: { attributes: resource }, scopeLogs: [{ scope: { name: "app" }, logRecords: records }] },
      ],
    },
    { fallbackSystem: "manual" },
  );
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

describe("mapOtlpLogs", () => {
  it("maps ids, severity, body, timestamps and the resource's service and system", () => {
    const { entries, rejected } = map(
      [
        {
          traceId: TRACE,
          spanId: "00F067AA0BA902B7",
          timeUnixNano: "1700000000123456789",
          severityNumber: 17,
          body: { stringValue: "boom" },
          unknownField: { ignored: true },
        },
        {
          traceId: TRACE,
          observedTimeUnixNano: 1_700_000_000_500_000_000,
          severityText: "WARNING",
          body: { kvlistValue: { values: [str("a", "b")] } },
        },
      ],
      [str("service.name", "api"), str("cloud.provider", "cloudflare")],
    );
    expect(rejected).toBe(0);
    expect(entries).toMatchObject([
      {
        trace_id: TRACE.toLowerCase(),
        span_id: "00f067aa0ba902b7",
        timestamp: 1_700_000_000_123,
        level: "error",
        message: "boom",
        source: "api",
        system: "worker",
        context: { "otel.scope": "app" },
      },
      { timestamp: 1_700_000_000_500, level: "warn", message: '{"a":"b"}' },
    ]);
    expect(entries[0]!.id).toMatch(/^otlp\.[0-9a-f]{16}$/);
    expect(entries[0]!.id).not.toBe(entries[1]!.id);
  });

  it("is deterministic across retries of the same batch", () => {
    const batch = [
      { traceId: TRACE, body: { stringValue: "same" } },
      { traceId: TRACE, body: { stringValue: "same" } },
    ];
    const [a, b] = [map(batch).entries, map(batch).entries];
    expect(a.map((e) => e.id)).toEqual(b.map((e) => e.id));
    expect(a[0]!.id).not.toBe(a[1]!.id);
  });

  it("flattens attributes of every AnyValue kind, 64-bit integers as numbers when exact", () => {
    const [entry] = map([
      {
        traceId: TRACE,
        attributes: [
          { key: "n", value: { intValue: "42" } },
          { key: "big", value: { intValue: "9007199254740993" } },
          { key: "d", value: { doubleValue: 1.5 } },
          { key: "b", value: { boolValue: false } },
          { key: "list", value: { arrayValue: { values: [{ stringValue: "x" }, { intValue: 1 }] } } },
          { key: "map", value: { kvlistValue: { values: [str("k", "v")] } } },
          { key: "bytes", value: { bytesValue: "AQI=" } },
          { key: "__proto__", value: { stringValue: "own" } },
          { key: "empty", value: {} },
        ],
      },
    ]).entries;
    expect(entry!.context).toEqual({
      n: 42,
      big: "9007199254740993",
      d: 1.5,
      b: false,
      list: ["x", 1],
      map: { k: "v" },
      bytes: "AQI=",
      ["__proto__"]: "own",
      empty: null,
      "otel.scope": "app",
    });
    expect(Object.getPrototypeOf(entry!.context)).toBe(Object.prototype);
  });

  it("bounds nesting", () => {
    let value: unknown = { stringValue: "deep" };
    for (let i = 0; i < 5000; i++) value = { arrayValue: { values: [value] } };
    const [entry] = map([{ traceId: TRACE, body: value }]).entries;
    expect(entry!.message).toContain("[depth limit]");
    expect(entry!.message.length).toBeLessThan(200);
  });

  it("takes exception.* attributes as the message and stack, and redacts attribute keys", () => {
    const { entries } = mapOtlpLogs(
      {
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  {
                    traceId: TRACE,
                    body: { stringValue: "checkout failed" },
                    attributes: [
                      str("exception.type", "TypeError"),
                      str("exception.message", "x is undefined"),
                      str("exception.stacktrace", "TypeError: x is undefined\n    at f (a.js:1:1)"),
                      str("acct_12345", "v"),
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
      { fallbackSystem: "convex", redactPatterns: [/acct_[0-9]+/g] },
    );
    expect(entries[0]).toMatchObject({
      level: "error",
      system: "convex",
      message: "checkout failed: TypeError: x is undefined",
      stack: "TypeError: x is undefined\n    at f (a.js:1:1)",
      context: { "[REDACTED]": "v" },
    });
  });

  it("uses a trace_id attribute without OTel trace context, else rejects the record", () => {
    const result = map([
      { body: { stringValue: "none" } },
      { traceId: "0".repeat(32), body: { stringValue: "zero" } },
      { traceId: "xyz", attributes: [str("trace_id", "order-7")] },
      { attributes: [str("trace_id", "has space")] },
      null,
    ]);
    expect(result.entries.map((e) => e.trace_id)).toEqual(["order-7"]);
    expect(result).toMatchObject({
      rejected: 4,
      total: 5,
      rejectedReason:
        "3 log record(s) without a trace id (no traceId and no 'trace_id' attribute) were not stored; 1 log record(s) that are not objects were not stored",
    });
  });

  it("names the system from debug_logs.system, then faas.*, then the fallback", () => {
    expect(map([{ traceId: TRACE }], [str("debug_logs.system", "Convex")]).entries[0]!.system).toBe("convex");
    expect(map([{ traceId: TRACE }], [str("faas.name", "f")]).entries[0]!.system).toBe("worker");
    expect(map([{ traceId: TRACE, attributes: [str("debug_logs.system", "browser")] }]).entries[0]!.system).toBe(
      "browser",
    );
    expect(map([{ traceId: TRACE }]).entries[0]!.system).toBe("manual");
  });

  it("refuses what is not an ExportLogsServiceRequest, accepts an empty one", () => {
    expect(() => mapOtlpLogs({ resourceLogs: {} }, { fallbackSystem: "manual" })).toThrow(/resourceLogs/);
    expect(() => mapOtlpLogs("x", { fallbackSystem: "manual" })).toThrow(/ExportLogsServiceRequest/);
    expect(mapOtlpLogs({}, { fallbackSystem: "manual" })).toMatchObject({ entries: [], total: 0, rejected: 0 });
  });
});

describe("levelOf", () => {
  it("maps severityNumber ranges, then severityText", () => {
    expect([1, 4, 5, 8, 9, 12, 13, 16, 17, 24].map((n) => levelOf(n, undefined))).toEqual([
      "debug",
      "debug",
      "debug",
      "debug",
      "info",
      "info",
      "warn",
      "warn",
      "error",
      "error",
    ]);
    expect(levelOf("SEVERITY_NUMBER_WARN2", undefined)).toBe("warn");
    expect(levelOf(0, "Fatal")).toBe("error");
    expect(levelOf(undefined, "trace")).toBe("debug");
    expect(levelOf(undefined, "notice")).toBe("log");
    expect(levelOf(undefined, undefined, true)).toBe("error");
  });
});

describe("the batch cap", () => {
  it("maps at most MAX_ENTRIES_PER_BATCH records and counts the rest as rejected", () => {
    const records = Array.from({ length: 600 }, (_, i) => ({ traceId: TRACE, body: { stringValue: `r${i}` } }));
    const result = map(records);
    expect(result.entries).toHaveLength(500);
    expect(result).toMatchObject({
      total: 600,
      rejected: 100,
      rejectedReason: "100 log record(s) over 500 per request were not stored",
    });
  });
});
