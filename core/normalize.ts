// Turns a parsed request body into stored entries: shape detection, per-entry validation,
// trace ids, server-side fields, truncation with visible markers, and redaction.
import { z } from "zod";
import { InputError } from "./errors.js";
import {
  MAX_CONTEXT_CHARS,
  MAX_CONTEXT_DEPTH,
  MAX_CONTEXT_STRING_CHARS,
  MAX_ENTRIES_PER_BATCH,
  MAX_MESSAGE_CHARS,
  MAX_STACK_CHARS,
  TRUNCATION_MARKER,
} from "./limits.js";
import { redactString, redactValue } from "./redact.js";
export { parseTraceparent } from "./ids.js";
import {
  EnvelopeSchema,
  IncomingEntrySchema,
  SystemSchema,
  TraceIdSchema,
  type LogEntry,
  type System,
} from "./schema.js";

/** Where an entry of a batch failed validation, in terms a client developer can act on. */
export interface EntryProblem {
  index: number;
  field: string;
  problem: string;
}

export interface NormalizeContext {
  /** Server clock when the request arrived, ms. */
  receivedAt: number;
  /** System to use for entries that do not name one (see detectSystem). */
  defaultSystem: System;
  /** Trace and span from a W3C traceparent header, for entries without a trace_id. */
  traceparent?: { traceId: string; spanId: string };
  redactPatterns?: RegExp[];
  newId?: () => string;
}

export interface NormalizedBatch {
  entries: LogEntry[];
  problems: EntryProblem[];
  /** One item per invalid entry: the trace it named, when its trace_id was itself valid. */
  invalid: Array<{ traceId?: string }>;
  /** Entries not stored for reasons decided here (over the batch cap, client-side drops), by reason. */
  dropped: Record<string, number>;
  /** Drops the client reported, attributed to the batch's trace when it has one. */
  clientDropped: Record<string, number>;
}

const ERROR_REF_MESSAGE_CHARS = 500;
const ERROR_REF_STACK_CHARS = 1200;

/** Accepts one entry, an array of entries, or an envelope `{ sent_at, batch_id, entries }`. */
export function normalizeBatch(body: unknown, ctx: NormalizeContext): NormalizedBatch {
  let items: unknown[];
  let sentAt: number | undefined;
  let batchId: string | undefined;
  let clientDropped: Record<string, number> = {};
  if (Array.isArray(body)) items = body;
  else if (isObject(body) && "entries" in body) {
    const envelope = EnvelopeSchema.safeParse(body);
    if (!envelope.success) throw new InputError("Invalid batch envelope", issuesOf(envelope.error, -1));
    ({ entries: items, sent_at: sentAt, batch_id: batchId } = envelope.data);
    clientDropped = envelope.data.client_dropped ?? {};
  } else if (isObject(body)) items = [body];
  else throw new InputError("Body must be a log entry, an array of entries, or { sent_at, entries: [...] }");
  if (items.length === 0) throw new InputError("The batch has no entries");

  const dropped: Record<string, number> = {};
  if (items.length > MAX_ENTRIES_PER_BATCH) {
    dropped.batch_limit = items.length - MAX_ENTRIES_PER_BATCH;
    items = items.slice(0, MAX_ENTRIES_PER_BATCH);
  }
  const offset = sentAt === undefined ? undefined : Math.round(ctx.receivedAt - sentAt);
  const problems: EntryProblem[] = [];
  const invalid: NormalizedBatch["invalid"] = [];
  const entries: LogEntry[] = [];
  // A batch repeats itself (the page URL on every entry, the same stack or message over and over): each distinct
  // string is redacted once.
  const redacted = new Map<string, string>();
  const redact = (value: string) => {
    let out = redacted.get(value);
    if (out === undefined) redacted.set(value, (out = redactString(value, ctx.redactPatterns)));
    return out;
  };
  items.forEach((item, index) => {
    const parsed = IncomingEntrySchema.safeParse(item);
    if (!parsed.success) {
      problems.push(...issuesOf(parsed.error, index));
      const named = TraceIdSchema.safeParse(isObject(item) ? item.trace_id : undefined);
      invalid.push(named.success ? { traceId: named.data } : {});
      return;
    }
    const e = parsed.data;
    const traceId = e.trace_id ?? ctx.traceparent?.traceId;
    if (!traceId) {
      problems.push({ index, field: "trace_id", problem: "required (in the entry or a traceparent header)" });
      invalid.push({});
      return;
    }
    const truncated: string[] = [];
    const entry: LogEntry = {
      id: e.id ?? (batchId ? `${batchId}.${index}` : (ctx.newId ?? crypto.randomUUID.bind(crypto))()),
      trace_id: traceId,
      system: e.system ?? ctx.defaultSystem,
      level: e.level,
      message: cap(redact(e.message), MAX_MESSAGE_CHARS, "message", truncated),
      timestamp: e.timestamp ?? ctx.receivedAt,
      received_at: ctx.receivedAt,
    };
    const spanId = e.span_id ?? (e.trace_id ? undefined : ctx.traceparent?.spanId);
    if (spanId) entry.span_id = spanId;
    if (e.user_id) entry.user_id = e.user_id;
    if (e.source) entry.source = e.source;
    if (e.stack) entry.stack = cap(redact(e.stack), MAX_STACK_CHARS, "stack", truncated);
    if (offset !== undefined) entry.clock_offset_ms = offset;
    if (e.url) entry.url = redact(e.url);
    if (e.context) entry.context = boundContext(redactValue(e.context, ctx.redactPatterns), truncated);
    if (truncated.length) entry.truncated = truncated;
    entries.push(entry);
  });
  return { entries, problems, invalid, dropped, clientDropped };
}

/** The compact reference kept in the recent-errors index: the entry with message and stack capped. */
export function errorRef(entry: LogEntry): string {
  if (entry.level !== "error") return "";
  const { context: _context, truncated: _truncated, url: _url, ...rest } = entry;
  return JSON.stringify({
    ...rest,
    message: entry.message.slice(0, ERROR_REF_MESSAGE_CHARS),
    ...(entry.stack ? { stack: entry.stack.slice(0, ERROR_REF_STACK_CHARS) } : {}),
  });
}

export function isSystem(value: unknown): value is System {
  return SystemSchema.safeParse(value).success;
}

function cap(value: string, max: number, field: string, truncated: string[]): string {
  if (value.length <= max) return value;
  truncated.push(field);
  return value.slice(0, max) + TRUNCATION_MARKER;
}

function boundContext(value: unknown, truncated: string[]): Record<string, unknown> {
  let cut = false;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") {
      if (v.length <= MAX_CONTEXT_STRING_CHARS) return v;
      cut = true;
      return v.slice(0, MAX_CONTEXT_STRING_CHARS) + TRUNCATION_MARKER;
    }
    if (v === null || typeof v !== "object") return v;
    if (depth >= MAX_CONTEXT_DEPTH) {
      cut = true;
      return "[depth limit]";
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
  };
  let bounded = walk(value, 0) as Record<string, unknown>;
  const json = JSON.stringify(bounded);
  if (json.length > MAX_CONTEXT_CHARS) {
    cut = true;
    bounded = { "[truncated]": json.slice(0, MAX_CONTEXT_CHARS) + TRUNCATION_MARKER };
  }
  if (cut) truncated.push("context");
  return bounded;
}

function issuesOf(error: z.ZodError, index: number): EntryProblem[] {
  return error.issues.map((issue) => ({
    index,
    field: issue.path.join(".") || "(entry)",
    problem: issue.message,
  }));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
