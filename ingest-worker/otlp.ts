// POST /v1/logs: OTLP/HTTP logs (JSON or protobuf, gzip allowed) through the same ingest path as POST /log, with
// the answers the OTLP/HTTP spec asks for: 200 with partialSuccess, a google.rpc.Status body on errors, both in
// the request's encoding.
import { Hono, type Context } from "hono";
import { detectSystem } from "../core/detect-system.js";
import { InputError } from "../core/errors.js";
import { ingestBatch, type IngestResult } from "../core/ingest.js";
import { mapOtlpLogs, type OtlpMapping } from "../core/otlp.js";
import { servicesFor } from "../core/services.js";
import { authorize, browserCors, type Bindings } from "./app.js";
import { mediaType, readBodyBytes, readJsonBody } from "./body.js";
import { errorResponse } from "./errors.js";
import { decodeLogsRequest, encodeLogsResponse, encodeStatus } from "./otlp-proto.js";

export const OTLP_LOGS_PATH = "/v1/logs";
const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";

/** google.rpc.Code for the HTTP statuses we answer with. */
const RPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 413: 3, 415: 3, 429: 8, 503: 14 };
const RPC_INTERNAL = 13;

export const otlpApp = new Hono<{ Bindings: Bindings }>();

// Browser OTel exporters are admitted by Origin as on POST /log, with the same CORS answers.
otlpApp.use(OTLP_LOGS_PATH, browserCors);

otlpApp.post(OTLP_LOGS_PATH, async (c) => {
  const { config, store } = servicesFor(c.env);
  const request = c.req.raw;
  const protobuf = isProtobuf(request);
  const admittedBy = await authorize(request, config);
  const type = mediaType(request);
  if (!protobuf && type && type !== JSON_TYPE) {
    throw new InputError(`Unsupported content type '${type}': OTLP/HTTP sends ${PROTOBUF} or ${JSON_TYPE}`, [], 415);
  }
  const receivedAt = Date.now();
  // No bytes at all is a valid, empty protobuf message: OTLP answers an empty request with success.
  const body = protobuf
    ? decodeLogsRequest(request.body ? await readBodyBytes(request, config.maxBodyBytes) : new Uint8Array())
    : await readJsonBody(request, config.maxBodyBytes);
  const mapping = mapOtlpLogs(body, {
    fallbackSystem: detectSystem((name) => c.req.header(name)),
    redactPatterns: config.redactPatterns,
  });
  const result = mapping.entries.length
    ? await ingestBatch(store(), mapping.entries, {
        receivedAt,
        defaultSystem: "manual",
        // As on POST /log: a page on an allowed origin writes browser entries only, whatever its resource says.
        ...(admittedBy === "origin" ? { forcedSystem: "browser" as const } : {}),
        redactPatterns: config.redactPatterns,
      })
    : undefined;
  const partialSuccess = partialSuccessOf(mapping, result);
  if (protobuf) return binary(c, encodeLogsResponse(partialSuccess), 200);
  return c.json(partialSuccess ? { partialSuccess } : {}, 200);
});

// The OTLP surface's catch point: the status and headers of the shared HTTP mapping, in a google.rpc.Status body.
otlpApp.onError(async (error, c) => {
  const shared = errorResponse(error, c);
  const { error: message = "Internal error", details } = (await shared.json()) as {
    error?: string;
    details?: unknown[];
  };
  const text = details?.length ? `${message}: ${JSON.stringify(details.slice(0, 20))}` : message;
  const code = RPC_CODES[shared.status] ?? RPC_INTERNAL;
  const headers = new Headers(shared.headers);
  if (isProtobuf(c.req.raw)) {
    headers.set("content-type", PROTOBUF);
    return new Response(encodeStatus(code, text), { status: shared.status, headers });
  }
  headers.set("content-type", JSON_TYPE);
  return new Response(JSON.stringify({ code, message: text, details: [] }), { status: shared.status, headers });
});

/** What was refused: records without a trace id, and whatever ingestion dropped or found invalid. */
function partialSuccessOf(mapping: OtlpMapping, result: IngestResult | undefined) {
  const stored = result ? result.accepted + result.duplicates : 0;
  const rejected = mapping.total - stored;
  if (rejected <= 0) return undefined;
  const reasons = [
    mapping.rejectedReason,
    ...Object.entries(result?.dropped ?? {}).map(([reason, n]) => `${n} dropped by ${reason}`),
    ...(result?.problems ?? [])
      .slice(0, 5)
      .map((p) => `entry ${p.index} of the traced records: ${p.field}: ${p.problem}`),
  ].filter(Boolean);
  return { rejectedLogRecords: rejected, errorMessage: reasons.join("; ") };
}

function isProtobuf(request: Request): boolean {
  const type = mediaType(request);
  return type === PROTOBUF || type === "application/protobuf";
}

function binary(c: Context, bytes: Uint8Array, status: 200): Response {
  return c.body(bytes as Uint8Array<ArrayBuffer>, status, { "content-type": PROTOBUF });
}
