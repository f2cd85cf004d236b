// OpenTelemetry logs (an OTLP ExportLogsServiceRequest in its JSON form) to our incoming entries, so an OTel
// exporter's batch goes through the same normalisation, redaction, limits and store write as POST /log.
import { z } from "zod";
import { fnv1a64 } from "./analysis/hash.js";
import { InputError } from "./errors.js";
import { isJsonObject } from "./json.js";
import { MAX_CONTEXT_DEPTH, MAX_ENTRIES_PER_BATCH } from "./limits.js";
import { isSystem } from "./normalize.js";
import { redactString } from "./redact.js";
import { TraceIdSchema, type IncomingEntry, type Level, type System } from "./schema.js";

/** Attribute (record or resource) that names our system: browser, convex, worker or manual. */
export const OTLP_SYSTEM_ATTRIBUTE = "debug_logs.system";
/** Record attribute used as the trace id when a record carries no OTel trace context. */
export const OTLP_TRACE_ID_ATTRIBUTE = "trace_id";
const SOURCE_MAX_CHARS = 128;

// The envelope only: records are read field by field below, so one odd record never fails the batch, and
// unknown fields are ignored as the OTLP spec asks.
const RecordsSchema = z.array(z.unknown()).optional();
const RequestSchema = z.object({
  resourceLogs: z
    .array(
      z.object({
        resource: z.object({ attributes: z.unknown().optional() }).passthrough().optional(),
        scopeLogs: z
          .array(
            z.object({
              scope: z.object({ name: z.unknown().optional() }).passthrough().optional(),
              logRecords: RecordsSchema,
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});

export interface OtlpMapping {
  /** Records as entries for normalizeBatch, each naming its system and trace. */
  entries: IncomingEntry[];
  /** Records refused before ingestion (no trace id, not an object, over MAX_ENTRIES_PER_BATCH), with why. */
  rejected: number;
  rejectedReason?: string;
  total: number;
}

export interface OtlpOptions {
  /** System for records whose resource names none (from the request's headers: detectSystem). */
  fallbackSystem: System;
  /** REDACT_PATTERNS: attribute keys are redacted here, values later by normalizeBatch like any context. */
  redactPatterns?: RegExp[];
}

/** Maps an ExportLogsServiceRequest (OTLP/JSON shape: hex ids, 64-bit integers as strings or numbers). */
export function mapOtlpLogs(body: unknown, { fallbackSystem, redactPatterns = [] }: OtlpOptions): OtlpMapping {
  const key = (k: string) => redactString(k, redactPatterns);
  const parsed = RequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `Not an OTLP ExportLogsServiceRequest: ${issue ? `${issue.path.join(".") || "(body)"}: ${issue.message}` : "bad shape"}`,
    );
  }
  const entries: IncomingEntry[] = [];
  let rejected = 0;
  let overLimit = 0;
  let malformed = 0;
  let total = 0;
  for (const resourceLogs of parsed.data.resourceLogs ?? []) {
    const resource = attributesOf(resourceLogs.resource?.attributes, key);
    const service = typeof resource["service.name"] === "string" ? resource["service.name"] : undefined;
    const system = resourceSystem(resource) ?? fallbackSystem;
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const scope =
        typeof scopeLogs.scope?.name === "string" && scopeLogs.scope.name ? scopeLogs.scope.name : undefined;
      for (const record of scopeLogs.logRecords ?? []) {
        // Past the batch cap nothing more is mapped (normalizeBatch would drop it anyway).
        if (entries.length >= MAX_ENTRIES_PER_BATCH) {
          total++;
          overLimit++;
          continue;
        }
        if (!isJsonObject(record)) {
          total++;
          malformed++;
          continue;
        }
        const entry = mapRecord(record, total++, { service, scope, system, key });
        if (entry) entries.push(entry);
        else rejected++;
      }
    }
  }
  const reasons = [
    rejected &&
      `${rejected} log record(s) without a trace id (no traceId and no '${OTLP_TRACE_ID_ATTRIBUTE}' attribute) were not stored`,
    malformed && `${malformed} log record(s) that are not objects were not stored`,
    overLimit && `${overLimit} log record(s) over ${MAX_ENTRIES_PER_BATCH} per request were not stored`,
  ].filter(Boolean);
  return {
    entries,
    rejected: rejected + malformed + overLimit,
    total,
    ...(reasons.length ? { rejectedReason: reasons.join("; ") } : {}),
  };
}

interface RecordScope {
  service: string | undefined;
  scope: string | undefined;
  system: System;
  key: (key: string) => string;
}

function mapRecord(record: Record<string, unknown>, index: number, at: RecordScope): IncomingEntry | undefined {
  const attributes = attributesOf(record.attributes, at.key);
  const traceId = hexId(record.traceId, 32) ?? namedTraceId(attributes[OTLP_TRACE_ID_ATTRIBUTE]);
  if (!traceId) return undefined;
  const spanId = hexId(record.spanId, 16);

  const {
    "exception.type": exceptionType,
    "exception.message": exceptionMessage,
    "exception.stacktrace": stacktrace,
    ...context
  } = attributes;
  const body = record.body === undefined ? "" : anyValueText(record.body, at.key);
  const exception = [exceptionType, exceptionMessage].filter((v) => typeof v === "string" && v).join(": ");
  const message =
    exception && !(body && typeof exceptionMessage === "string" && body.includes(exceptionMessage))
      ? [body, exception].filter(Boolean).join(": ")
      : body || (typeof record.eventName === "string" ? record.eventName : "");

  const system = declaredSystem(attributes) ?? at.system;
  const timestamp = nanosToMs(record.timeUnixNano) ?? nanosToMs(record.observedTimeUnixNano);
  if (at.scope) context["otel.scope"] = at.scope;
  if (typeof record.eventName === "string" && record.eventName) context["otel.event_name"] = record.eventName;
  const entry: IncomingEntry = {
    // Stable across an exporter's retries of the same batch (same records, same order): stored once.
    id: `otlp.${fnv1a64(JSON.stringify([index, traceId, spanId, record.timeUnixNano, record.observedTimeUnixNano, body, record.attributes]))}`,
    trace_id: traceId,
    system,
    level: levelOf(record.severityNumber, record.severityText, Boolean(exception)),
    message,
  };
  if (spanId) entry.span_id = spanId;
  if (timestamp !== undefined) entry.timestamp = timestamp;
  if (at.service) entry.source = at.service.slice(0, SOURCE_MAX_CHARS);
  if (typeof stacktrace === "string" && stacktrace) entry.stack = stacktrace;
  const user = context["user.id"] ?? context["enduser.id"];
  if (typeof user === "string" && user) entry.user_id = user.slice(0, 256);
  if (Object.keys(context).length) entry.context = context;
  return entry;
}

/** severityNumber ranges (1-8 debug, 9-12 info, 13-16 warn, 17-24 error), else severityText, else log. */
export function levelOf(number: unknown, text: unknown, isException = false): Level {
  const n = typeof number === "string" ? severityNumberFromName(number) : Number(number);
  if (Number.isInteger(n) && n >= 1 && n <= 24) return n <= 8 ? "debug" : n <= 12 ? "info" : n <= 16 ? "warn" : "error";
  const t = typeof text === "string" ? text.trim().toLowerCase() : "";
  if (/^(trace|debug)\d?$/.test(t)) return "debug";
  if (/^info\d?$/.test(t)) return "info";
  if (/^warn(ing)?\d?$/.test(t)) return "warn";
  if (/^(error|fatal|critical|crit|alert|emergency|emerg)\d?$/.test(t)) return "error";
  if (t === "log") return "log";
  return isException ? "error" : "log";
}

// The OTLP/JSON spec sends enums as integers; some senders use the enum's name.
function severityNumberFromName(name: string): number {
  const m = name.match(/^SEVERITY_NUMBER_(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)([2-4])?$/);
  if (!m) return Number(name);
  const base = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 }[m[1] as "TRACE"];
  return base + (m[2] ? Number(m[2]) - 1 : 0);
}

/** Flattens an OTLP KeyValue list to a plain object (later keys win), AnyValues to JSON values. */
export function attributesOf(list: unknown, key: (k: string) => string = (k) => k, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isJsonObject(kv) || typeof kv.key !== "string") continue;
    // An own property even for "__proto__".
    Object.defineProperty(out, key(kv.key), {
      value: anyValue(kv.value, key, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** An OTLP AnyValue as a JSON value; nesting past MAX_CONTEXT_DEPTH becomes "[depth limit]". */
export function anyValue(value: unknown, key: (k: string) => string = (k) => k, depth = 0): unknown {
  if (!isJsonObject(value)) return null;
  if (depth > MAX_CONTEXT_DEPTH) return "[depth limit]";
  if ("stringValue" in value && value.stringValue != null) return String(value.stringValue);
  if ("boolValue" in value && value.boolValue != null) return Boolean(value.boolValue);
  if ("intValue" in value && value.intValue != null) return int64(value.intValue);
  if ("doubleValue" in value && value.doubleValue != null) return Number(value.doubleValue);
  if ("bytesValue" in value && value.bytesValue != null) return String(value.bytesValue);
  if (isJsonObject(value.arrayValue)) {
    const values = value.arrayValue.values;
    return Array.isArray(values) ? values.map((v) => anyValue(v, key, depth + 1)) : [];
  }
  if (isJsonObject(value.kvlistValue)) return attributesOf(value.kvlistValue.values, key, depth);
  return null;
}

/** A body AnyValue as message text: strings as they are, anything else as compact JSON. */
function anyValueText(value: unknown, key: (k: string) => string): string {
  const v = anyValue(value, key);
  if (typeof v === "string") return v;
  if (v === null) return "";
  return JSON.stringify(v);
}

/** 64-bit integers arrive as decimal strings (OTLP/JSON) or numbers: a number when exact, else the string. */
function int64(value: unknown): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

function nanosToMs(value: unknown): number | undefined {
  const text = typeof value === "number" ? (Number.isFinite(value) ? Math.trunc(value).toString() : "") : value;
  if (typeof text !== "string" || !/^\d{1,20}$/.test(text)) return undefined;
  const ms = Number(BigInt(text) / 1_000_000n);
  return ms > 0 ? ms : undefined;
}

function hexId(value: unknown, length: number): string | undefined {
  if (typeof value !== "string" || value.length !== length || !/^[0-9a-fA-F]+$/.test(value)) return undefined;
  return /^0+$/.test(value) ? undefined : value.toLowerCase();
}

function namedTraceId(value: unknown): string | undefined {
  const parsed = TraceIdSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function declaredSystem(attributes: Record<string, unknown>): System | undefined {
  const declared = attributes[OTLP_SYSTEM_ATTRIBUTE];
  const name = typeof declared === "string" ? declared.trim().toLowerCase() : undefined;
  return isSystem(name) ? name : undefined;
}

/** A resource's system: `debug_logs.system` when it names one; `worker` for Cloudflare or FaaS resources. */
function resourceSystem(attributes: Record<string, unknown>): System | undefined {
  const declared = declaredSystem(attributes);
  if (declared) return declared;
  if (attributes["cloud.provider"] === "cloudflare") return "worker";
  if (Object.keys(attributes).some((key) => key.startsWith("faas."))) return "worker";
  return undefined;
}
