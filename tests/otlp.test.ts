// POST /v1/logs end to end: the real OpenTelemetry JS SDK (JSON and protobuf exporters) into the Worker in
// workerd over a real Redis, read back with get_trace and correlate_trace; and the OTLP/HTTP answers on raw requests.
import { gzipSync } from "node:zlib";
import { ROOT_CONTEXT, trace, TraceFlags } from "@opentelemetry/api";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { OTLPLogExporter as JsonExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import otlpRoot from "@opentelemetry/otlp-transformer/build/esm/generated/root.js";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { Reader } from "protobufjs/minimal.js";
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from "@opentelemetry/sdk-logs";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomHex } from "../clients/shared/ids.js";
import { callTool, connectMcp } from "./helpers/mcp.js";
import { startTestStack, type TestStack } from "./helpers/stack.js";

let stack: TestStack;
let client: Client;

beforeAll(async () => {
  stack = await startTestStack({ MAX_BODY_BYTES: "20000", RATE_LIMIT_GLOBAL_PER_HOUR: "1000000" });
  client = await connectMcp(stack.url, stack.mcpToken);
});
afterAll(async () => {
  await client?.close();
  await stack?.stop();
});

/** A LoggerProvider for one service, exporting each record at once through the given exporter. */
function sdkLogger(exporter: LogRecordExporter, resource: Record<string, string>) {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(resource),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  return { provider, logger: provider.getLogger("checkout", "1.2.0") };
}
const spanContext = (traceId: string, spanId: string) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });

async function storedEntries(traceId: string): Promise<Array<Record<string, unknown>>> {
  const items = (await stack.redis(["LRANGE", `${stack.keyPrefix}logs:${traceId}`, "0", "-1"])) as string[];
  return items.flatMap((item) => JSON.parse(item) as Array<Record<string, unknown>>);
}

async function getTrace(traceId: string) {
  const { structured, text, isError } = await callTool(client, "get_trace", { trace_id: traceId });
  expect(isError, text).toBe(false);
  return { text, entries: structured!.entries as Array<Record<string, unknown>> };
}

type ExporterConfig = ConstructorParameters<typeof JsonExporter>[0] & ConstructorParameters<typeof ProtoExporter>[0];
describe.each([
  ["JSON", JsonExporter, {}],
  ["protobuf", ProtoExporter, {}],
  ["gzip protobuf", ProtoExporter, { compression: "gzip" }],
] as const)("the OpenTelemetry SDK's %s exporter", (_name, Exporter, options) => {
  it("delivers records that get_trace and correlate_trace show beside /log entries of the same trace", async () => {
    const traceId = randomHex(16);
    const spanId = randomHex(8);
    const exporter = new Exporter({
      url: `${stack.url}/v1/logs`,
      headers: { Authorization: `Bearer ${stack.ingestToken}` },
      ...(options as ExporterConfig),
    });
    const { provider, logger } = sdkLogger(exporter, { "service.name": "checkout-api", "debug_logs.system": "convex" });
    const start = Date.now();
    logger.emit({
      severityNumber: SeverityNumber.INFO,
      severityText: "INFO",
      body: "charge started",
      attributes: { "order.id": 42, "http.request.header.authorization": "Bearer sk_live_abcdefghijklmnop1234" },
      timestamp: start,
      context: spanContext(traceId, spanId),
    });
    logger.emit({
      severityNumber: SeverityNumber.ERROR,
      body: { step: "capture", retries: 3 },
      attributes: {
        "exception.type": "TypeError",
        "exception.message": "Cannot read properties of undefined (reading 'amount')",
        "exception.stacktrace": "TypeError: Cannot read properties of undefined\n    at capture (src/pay.ts:10:5)",
        password: "hunter2",
      },
      timestamp: start + 20,
      context: spanContext(traceId, spanId),
    });
    await provider.forceFlush();
    await provider.shutdown();
    // The browser's line of the same trace, through POST /log.
    const res = await fetch(`${stack.url}/log`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.ingestToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        trace_id: traceId,
        system: "browser",
        level: "error",
        message: "checkout failed",
        timestamp: start + 40,
      }),
    });
    expect(res.status).toBe(202);

    const { entries } = await getTrace(traceId);
    // Where the browser line falls depends on the skew correction (it has no sent_at); the two OTel records keep
    // their order and their own timestamps (convex is a reference clock).
    const otel = entries.filter((e) => e.system === "convex");
    expect(otel.map((e) => [e.level, e.message])).toEqual([
      ["info", "charge started"],
      ["error", `{"step":"capture","retries":3}: TypeError: Cannot read properties of undefined (reading 'amount')`],
    ]);
    expect(entries.filter((e) => e.system === "browser").map((e) => e.message)).toEqual(["checkout failed"]);
    expect(otel[0]).toMatchObject({ source: "checkout-api", span_id: spanId });
    expect(otel[1]!.rel_ms as number).toBeGreaterThan(otel[0]!.rel_ms as number);
    expect(otel[1]!.stack).toContain("at capture (src/pay.ts:10:5)");

    // The stored entries: the records' own times, context from attributes, secrets redacted (by key and by value).
    const all = await storedEntries(traceId);
    // Stored in arrival order: the processor exports each record on its own, so the two requests may cross.
    const times = all.filter((e) => e.system === "convex").map((e) => e.timestamp as number);
    expect(times.sort((x, y) => x - y)).toEqual([start, start + 20]);
    expect(all.find((e) => e.message === "charge started")!.context).toEqual({
      "order.id": 42,
      "http.request.header.authorization": "[REDACTED]",
      "otel.scope": "checkout",
    });
    expect(JSON.stringify(all)).not.toContain("hunter2");
    expect(JSON.stringify(all)).not.toContain("sk_live_abcdefghijklmnop1234");

    const report = await callTool(client, "correlate_trace", { trace_id: traceId });
    expect(report.text).toMatch(/3 entries from (convex, browser|browser, convex)/);
    expect(report.text).toContain("TypeError");
  });
});

describe("an exporter configured only by the README's environment variables", () => {
  it("reaches /v1/logs with the token", async () => {
    const traceId = randomHex(16);
    const names = ["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS"] as const;
    const saved = names.map((name) => process.env[name]);
    process.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT = `${stack.url}/v1/logs`;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer%20${stack.ingestToken}`;
    try {
      const { provider, logger } = sdkLogger(new ProtoExporter(), { "service.name": "env-configured" });
      logger.emit({ body: "configured by env", context: spanContext(traceId, randomHex(8)) });
      await provider.forceFlush();
      await provider.shutdown();
    } finally {
      names.forEach((name, i) => (saved[i] === undefined ? delete process.env[name] : (process.env[name] = saved[i])));
    }
    expect((await getTrace(traceId)).entries).toMatchObject([
      { message: "configured by env", source: "env-configured" },
    ]);
  });
});

const v1 = (
  otlpRoot as unknown as {
    opentelemetry: {
      proto: {
        collector: {
          logs: {
            v1: Record<
              string,
              {
                decode(b: Uint8Array): unknown;
                encode(m: unknown): { finish(): Uint8Array };
                fromObject(o: unknown): unknown;
                toObject(m: unknown, o: unknown): Record<string, unknown>;
              }
            >;
          };
        };
      };
    };
  }
).opentelemetry.proto.collector.logs.v1;
const record = (over: Record<string, unknown> = {}) => ({
  timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
  severityNumber: 9,
  body: { stringValue: "hello" },
  ...over,
});
const request = (records: unknown[], resource: unknown[] = []) => ({
  resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ scope: { name: "raw" }, logRecords: records }] }],
});
function postJson(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${stack.url}/v1/logs`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.ingestToken}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
function postProto(bytes: Uint8Array, headers: Record<string, string> = {}) {
  return fetch(`${stack.url}/v1/logs`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.ingestToken}`, "content-type": "application/x-protobuf", ...headers },
    body: bytes,
  });
}
/** A google.rpc.Status read with protobufjs's Reader: `int32 code = 1; string message = 2`. */
function readStatus(bytes: Uint8Array): { code?: number; message?: string } {
  const reader = Reader.create(bytes);
  const out: { code?: number; message?: string } = {};
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 0x08) out.code = reader.int32();
    else if (tag === 0x12) out.message = reader.string();
    else reader.skipType(tag & 7);
  }
  return out;
}
const encodeRequest = (object: unknown) =>
  v1.ExportLogsServiceRequest!.encode(v1.ExportLogsServiceRequest!.fromObject(object)).finish();

describe("POST /v1/logs answers as OTLP/HTTP asks", () => {
  it("200 {} when every record is stored, with one Redis command per trace", async () => {
    const [a, b] = [randomHex(16), randomHex(16)];
    await postJson(request([record({ traceId: randomHex(16) })])); // the script is loaded once per Redis
    stack.resetCommandCount();
    const res = await postJson(
      request([
        record({ traceId: a, body: { stringValue: "a1" } }),
        record({ traceId: b }),
        record({ traceId: a, body: { stringValue: "a2" } }),
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toEqual({});
    expect(stack.commandCount()).toBe(2);
    expect((await getTrace(a)).entries).toHaveLength(2);

    // An empty request is a success too, in either encoding.
    expect(await (await postJson({})).json()).toEqual({});
    const empty = await postProto(new Uint8Array());
    expect(empty.status).toBe(200);
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
  });

  it("200 with partialSuccess for records without a trace id; a trace_id attribute names one", async () => {
    const named = `otel-${randomHex(4)}`;
    const res = await postJson(
      request([
        record(),
        record({ attributes: [{ key: "trace_id", value: { stringValue: named } }] }),
        record({ traceId: "00000000000000000000000000000000" }),
      ]),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedLogRecords: number; errorMessage: string } };
    expect(body.partialSuccess.rejectedLogRecords).toBe(2);
    expect(body.partialSuccess.errorMessage).toMatch(/2 log record\(s\) without a trace id/);
    expect((await getTrace(named)).entries.map((e) => e.message)).toEqual(["hello"]);
  });

  it("reads gzip protobuf and answers protobuf, partialSuccess included", async () => {
    const traceId = randomHex(16);
    const bytes = encodeRequest({
      resourceLogs: [
        {
          resource: {
            attributes: [
              { key: "service.name", value: { stringValue: "edge" } },
              { key: "cloud.provider", value: { stringValue: "cloudflare" } },
            ],
          },
          scopeLogs: [
            {
              logRecords: [
                {
                  traceId: Buffer.from(traceId, "hex"),
                  severityNumber: 13,
                  body: { stringValue: "slow upstream" },
                  observedTimeUnixNano: 1_700_000_000_123_000_000,
                },
                { body: { stringValue: "no trace" } },
              ],
            },
          ],
        },
      ],
    });
    const res = await postProto(gzipSync(bytes), { "content-encoding": "gzip" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    const answer = v1.ExportLogsServiceResponse!.toObject(
      v1.ExportLogsServiceResponse!.decode(new Uint8Array(await res.arrayBuffer())),
      { longs: Number },
    );
    expect(answer).toMatchObject({ partialSuccess: { rejectedLogRecords: 1 } });
    const [entry] = await storedEntries(traceId);
    expect(entry).toMatchObject({
      system: "worker",
      level: "warn",
      source: "edge",
      message: "slow upstream",
      timestamp: 1_700_000_000_123,
    });
  });

  it("400 with a google.rpc.Status body, JSON or protobuf as the request was", async () => {
    const json = await postJson("{not json");
    expect(json.status).toBe(400);
    expect(json.headers.get("content-type")).toContain("application/json");
    const status = (await json.json()) as { code: number; message: string; details: unknown[] };
    expect(status).toMatchObject({ code: 3, details: [] });
    expect(status.message).toMatch(/Malformed JSON/);

    const shape = await postJson({ resourceLogs: "nope" });
    expect(shape.status).toBe(400);
    expect(((await shape.json()) as { message: string }).message).toMatch(/resourceLogs/);

    const proto = await postProto(new Uint8Array([0x0a, 0xff, 0xff, 0x01]));
    expect(proto.status).toBe(400);
    expect(proto.headers.get("content-type")).toBe("application/x-protobuf");
    const protoStatus = readStatus(new Uint8Array(await proto.arrayBuffer()));
    expect(protoStatus).toMatchObject({ code: 3, message: expect.stringMatching(/^Malformed protobuf/) });
  });

  it("bounds a deeply nested body: stored with the nesting cut, no error", async () => {
    const traceId = randomHex(16);
    let body: unknown = { stringValue: "deep" };
    for (let i = 0; i < 1500; i++) body = { arrayValue: { values: [body] } };
    const bytes = encodeRequest(request([record({ traceId: Buffer.from(traceId, "hex"), body })]));
    expect(bytes.length).toBeLessThan(20_000);
    const res = await postProto(bytes);
    expect(res.status).toBe(200);
    const [entry] = (await getTrace(traceId)).entries;
    expect(entry!.message).toMatch(/^\[\[\[.*"\[depth limit\]".*\]\]\]$/);
  });

  it("admits an allowed browser Origin with CORS, preflight included", async () => {
    const origin = "http://localhost:5173"; // allowed in development
    const pre = await fetch(`${stack.url}/v1/logs`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(origin);
    const traceId = randomHex(16);
    const res = await fetch(`${stack.url}/v1/logs`, {
      method: "POST",
      headers: { origin, "content-type": "application/json" },
      body: JSON.stringify(
        request([record({ traceId })], [{ key: "debug_logs.system", value: { stringValue: "convex" } }]),
      ),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(origin);
    // A page may not write as another system.
    expect((await getTrace(traceId)).entries).toMatchObject([{ system: "browser" }]);
  });

  it("403 without a valid token, 413 over MAX_BODY_BYTES, 415 for other types", async () => {
    const denied = await postJson(request([record({ traceId: randomHex(16) })]), { authorization: "Bearer wrong" });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: 7, message: expect.stringMatching(/ingest token/) });
    const big = await postJson(
      request([record({ traceId: randomHex(16), body: { stringValue: "x".repeat(30_000) } })]),
    );
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 3, message: expect.stringMatching(/MAX_BODY_BYTES/) });
    const other = await postJson("x", { "content-type": "text/csv" });
    expect(other.status).toBe(415);
  });

  it("429 with Retry-After when the trace's rate limit refuses everything", async () => {
    const traceId = randomHex(16);
    const many = Array.from({ length: 100 }, (_, i) => record({ traceId, body: { stringValue: `r${i}` } }));
    expect((await postJson(request(many))).status).toBe(200);
    const refused = await postJson(request([record({ traceId })]));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ code: 8 });
  });
});

describe("POST /v1/logs with the store down", () => {
  it("503 with Retry-After and a google.rpc.Status UNAVAILABLE, in protobuf for a protobuf request", async () => {
    const dead = await startTestStack({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", UPSTASH_REDIS_REST_TOKEN: "x" });
    try {
      const res = await fetch(`${dead.url}/v1/logs`, {
        method: "POST",
        headers: { authorization: `Bearer ${dead.ingestToken}`, "content-type": "application/x-protobuf" },
        body: encodeRequest({
          resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: Buffer.from(randomHex(16), "hex") }] }] }],
        }),
      });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      const status = readStatus(new Uint8Array(await res.arrayBuffer()));
      expect(status).toMatchObject({ code: 14, message: expect.stringMatching(/^The log store did not answer/) });
    } finally {
      await dead.stop();
    }
  });
});
