// Convex's webhook log stream, read as Convex writes it (crates/common/src/log_streaming.rs in convex-backend):
// the body is a JSON array (format "json") or one event per line (format "jsonl"), optional fields present as
// null, each event with a `convex` block. The current format (V2) names its topic in `topic`; streams configured
// before 23 May 2024 send the legacy format (V1), with `_topic`, `_timestamp` and `_functionPath`.
import { z } from "zod";
import { InputError } from "../errors.js";
import { digestHex } from "../hex.js";
import { MAX_CONVEX_EVENTS_PER_REQUEST } from "../limits.js";
import type { IncomingEntry, Level } from "../schema.js";
import {
  ConsoleSchema,
  ExecutionSchema,
  LEVELS,
  LegacyConsoleSchema,
  LegacyExecutionSchema,
  type ConvexBlockSchema,
  type FunctionSchema,
} from "./events.js";

/** A Convex event turned into an entry to store, before its trace is known. */
export interface ConvexEvent {
  /** Content-derived id: a redelivered batch stores nothing new. */
  id: string;
  /** Convex's request id of the function run (current format only). */
  requestId?: string;
  /** A trace id the function logged (`trace_id=<id>` and the like), when there is one. */
  loggedTraceId?: string;
  /** A successful execution: worth storing only in a trace (no browser ever names a successful request's id). */
  success?: boolean;
  entry: Omit<IncomingEntry, "trace_id">;
}

export interface ParsedLogStream {
  events: ConvexEvent[];
  /** Events not stored, by topic (verification, audit_log, scheduler_stats, successful queries, ...). */
  ignored: Record<string, number>;
  /** True when the body held Convex's verification event (sent once when the stream is created). */
  verification: boolean;
}

/**
 * A trace id the function wrote into its message: `trace_id=abc`, `trace_id: 'abc'` (how object-inspect prints
 * `{ trace_id: "abc" }`), `"trace_id":"abc"` or `traceId`.
 */
const TRACE_TAG = /\btrace_?id["']?\s*[=:]\s*["']?([A-Za-z0-9._:-]{1,128})/i;
/** Convex request ids are hex; anything else is not used as a key. */
const REQUEST_ID = /^[A-Za-z0-9]{1,64}$/;

export function loggedTraceId(message: string): string | undefined {
  return TRACE_TAG.exec(message)?.[1];
}

/** Splits a body into raw events: a JSON array, or one JSON object per line. */
export function splitBody(text: string): unknown[] {
  const trimmed = text.trim();
  if (!trimmed) throw new InputError("The body is empty: Convex sends a JSON array or JSON lines of events");
  let events: unknown[];
  if (trimmed.startsWith("[")) {
    events = parseJson(trimmed, "the body") as unknown[];
    if (!Array.isArray(events)) throw new InputError("The body must be a JSON array of events or JSON lines");
  } else {
    const lines = trimmed.split("\n").filter((line) => line.trim());
    if (lines.length > MAX_CONVEX_EVENTS_PER_REQUEST) throw tooMany(lines.length);
    events = lines.map((line, i) => parseJson(line, `line ${i + 1}`));
  }
  if (events.length > MAX_CONVEX_EVENTS_PER_REQUEST) throw tooMany(events.length);
  return events;
}

/** Parses and maps a log stream body. Malformed JSON is a 400; unknown or malformed events are counted. */
export async function parseLogStream(text: string): Promise<ParsedLogStream> {
  const raw = splitBody(text);
  const out: ParsedLogStream = { events: [], ignored: {}, verification: false };
  const seen = new Map<string, number>();
  for (const item of raw) {
    const topic = topicOf(item);
    if (topic === "verification" || topic === "_verification") {
      out.verification = true;
      count(out.ignored, "verification");
      continue;
    }
    const mapped = mapEvent(item, topic);
    if (typeof mapped === "string") {
      count(out.ignored, mapped);
      continue;
    }
    // Identical events in one body (a loop logging the same line within a millisecond) stay distinct.
    const json = JSON.stringify(item);
    const occurrence = (seen.get(json) ?? 0) + 1;
    seen.set(json, occurrence);
    mapped.id = `cx-${(await digestHex("SHA-256", `${occurrence}\n${json}`)).slice(0, 32)}`;
    out.events.push(mapped);
  }
  return out;
}

function topicOf(item: unknown): string {
  if (typeof item !== "object" || item === null) return "malformed";
  const record = item as Record<string, unknown>;
  const topic = record.topic ?? record._topic;
  return typeof topic === "string" ? topic.slice(0, 40) : "malformed";
}

/** The event as an entry, or the reason it is not stored (its topic, or `<topic>_malformed`). */
function mapEvent(item: unknown, topic: string): ConvexEvent | string {
  const malformed = `${safeTopic(topic)}_malformed`;
  if (topic === "console") {
    const parsed = ConsoleSchema.safeParse(item);
    if (!parsed.success) return malformed;
    const e = parsed.data;
    return fromFunction(e.function, e.convex, {
      level: LEVELS[e.log_level.toUpperCase()] ?? "log",
      message: e.message,
      timestamp: e.timestamp,
      details: { is_truncated: e.is_truncated, system_code: e.system_code },
    });
  }
  if (topic === "function_execution") {
    const parsed = ExecutionSchema.safeParse(item);
    if (!parsed.success) return malformed;
    const e = parsed.data;
    const failed = e.status === "failure";
    // Successful queries re-run on every change they subscribe to: counted, not stored.
    if (!failed && e.function.type === "query") return "function_execution_query_success";
    const [first, ...rest] = (e.error_message ?? "").split("\n");
    return fromFunction(e.function, e.convex, {
      level: failed ? "error" : "debug",
      message: failed ? failureMessage(e.function.path, first ?? "", e.will_retry) : successMessage(e),
      stack: failed && rest.length ? rest.join("\n") : undefined,
      timestamp: e.timestamp,
      details: {
        status: e.status,
        execution_time_ms: e.execution_time_ms,
        occ_info: e.occ_info,
        will_retry: e.will_retry,
        scheduler_info: e.scheduler_info,
        usage: e.usage,
      },
    });
  }
  if (topic === "_console") {
    const parsed = LegacyConsoleSchema.safeParse(item);
    if (!parsed.success) return malformed;
    const e = parsed.data;
    // Legacy messages carry their level as a prefix: "[LOG] 'Sent message!'".
    const m = /^\[(DEBUG|INFO|LOG|WARN|ERROR)\]\s*/.exec(e.message);
    return legacy(e, {
      level: m ? LEVELS[m[1]!]! : "log",
      message: m ? e.message.slice(m[0].length) : e.message,
    });
  }
  if (topic === "_execution_record") {
    const parsed = LegacyExecutionSchema.safeParse(item);
    if (!parsed.success) return malformed;
    const e = parsed.data;
    const failed = e.status === "failure";
    if (!failed && e._functionType === "query") return "_execution_record_query_success";
    const [first, ...rest] = (e.reason ?? "").split("\n");
    return legacy(e, {
      level: failed ? "error" : "debug",
      message: failed ? failureMessage(e._functionPath, first ?? "", null) : `${e._functionPath} succeeded`,
      stack: failed && rest.length ? rest.join("\n") : undefined,
      details: { status: e.status, execution_time_ms: e.executionTimeMs },
    });
  }
  return safeTopic(topic);
}

interface Shape {
  level: Level;
  message: string;
  stack?: string;
  timestamp: number;
  details: Record<string, unknown>;
}

function fromFunction(
  fn: z.infer<typeof FunctionSchema>,
  block: z.infer<typeof ConvexBlockSchema>,
  shape: Shape,
): ConvexEvent {
  const requestId = fn.request_id && REQUEST_ID.test(fn.request_id) ? fn.request_id : undefined;
  const convex = compact({
    function_type: fn.type,
    cached: fn.cached,
    component_path: fn.component_path,
    mutation_queue_length: fn.mutation_queue_length,
    mutation_retry_count: fn.mutation_retry_count,
    ...shape.details,
    deployment: block?.deployment_name,
    deployment_type: block?.deployment_type,
    project: block?.project_slug ?? block?.project_name,
  });
  return {
    id: "",
    requestId,
    success: shape.details.status === "success",
    loggedTraceId: loggedTraceId(shape.message),
    entry: {
      system: "convex",
      source: fn.path.slice(0, 128),
      level: shape.level,
      message: shape.message,
      timestamp: shape.timestamp,
      ...(shape.stack ? { stack: shape.stack } : {}),
      // At the top level, where the analysis looks for request ids shared with the browser's entries.
      context: { ...(fn.request_id ? { request_id: fn.request_id } : {}), convex },
    },
  };
}

function legacy(
  e: { _timestamp: number; _functionPath: string; _functionType?: string | null; _functionCached?: boolean | null },
  shape: Omit<Shape, "timestamp" | "details"> & { details?: Record<string, unknown> },
): ConvexEvent {
  return {
    id: "",
    success: shape.details?.status === "success",
    loggedTraceId: loggedTraceId(shape.message),
    entry: {
      system: "convex",
      source: e._functionPath.slice(0, 128),
      level: shape.level,
      message: shape.message,
      timestamp: e._timestamp,
      ...(shape.stack ? { stack: shape.stack } : {}),
      context: {
        convex: compact({
          function_type: e._functionType,
          cached: e._functionCached,
          format: "legacy",
          ...shape.details,
        }),
      },
    },
  };
}

function failureMessage(path: string, error: string, willRetry: boolean | null | undefined): string {
  return `${path} failed: ${error || "(no error message)"}${willRetry ? " (Convex will retry it)" : ""}`;
}

function successMessage(e: z.infer<typeof ExecutionSchema>): string {
  const ms = e.execution_time_ms;
  return `${e.function.type ?? "function"} ${e.function.path} succeeded${ms === null || ms === undefined ? "" : ` in ${ms} ms`}`;
}

/** Drops null and undefined fields: the stream sends every optional field, mostly as null. */
function compact(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined));
}

function count(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function safeTopic(topic: string): string {
  return topic.replace(/[^A-Za-z0-9_]/g, "_") || "malformed";
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`Malformed JSON in ${where}: ${(error as Error).message}`);
  }
}

function tooMany(n: number): InputError {
  return new InputError(
    `${n} events in one request; a Convex log stream sends at most ${MAX_CONVEX_EVENTS_PER_REQUEST}`,
    [],
    413,
  );
}
