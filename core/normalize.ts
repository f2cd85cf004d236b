// Turns a parsed request body into stored entries: shape detection, per-entry validation, trace ids, server-side
// fields, and size bounds applied before redaction (so hostile sizes cost no more than the limits) and after it.
import { z } from "zod";
import { boundContextInput, capContext, capRedacted } from "./bound.js";
import { InputError } from "./errors.js";
import { isJsonObject } from "./json.js";
import {
  MAX_CLIENT_DROP_COUNT,
  MAX_CLIENT_DROP_REASONS,
  MAX_DROP_REASON_CHARS,
  MAX_ENTRIES_PER_BATCH,
  MAX_MESSAGE_CHARS,
  MAX_STACK_CHARS,
  MAX_TRACES_PER_REQUEST,
} from "./limits.js";
import { redactSecretShapes } from "./redact.js";
import { redactText, redactTree } from "./redact-server.js";
import {
  EnvelopeSchema,
  IncomingEntrySchema,
  SystemSchema,
  TraceIdSchema,
  type LogEntry,
  type System,
} from "./schema.js";
export { parseTraceparent } from "./ids.js";

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
  /** When set, every entry gets this system whatever it claims: writes admitted by Origin are `browser`. */
  forcedSystem?: System;
  /** Trace and span from a W3C traceparent header, for entries without a trace_id. */
  traceparent?: { traceId: string; spanId: string };
  redactPatterns?: RegExp[];
  /** The request body as sent (decoded), for the ids of entries that have none when the batch has no batch_id. */
  rawBody?: string;
}

export interface NormalizedBatch {
  entries: LogEntry[];
  problems: EntryProblem[];
  /** One item per invalid entry: the trace it named, when its trace_id was itself valid. */
  invalid: Array<{ traceId?: string }>;
  /** Entries not stored for reasons decided here (over the batch cap), by reason; recorded with the batch's trace. */
  dropped: Record<string, number>;
  /** Entries refused because they named more distinct traces than one request may write (details in problems). */
  overTraceLimit: number;
  /** Drops the client reported (reasons made safe and bounded), attributed to the batch's trace. */
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
  else if (isJsonObject(body) && "entries" in body) {
    const envelope = EnvelopeSchema.safeParse(body);
    if (!envelope.success) throw new InputError("Invalid batch envelope", issuesOf(envelope.error, -1));
    ({ entries: items, sent_at: sentAt, batch_id: batchId } = envelope.data);
    clientDropped = boundClientDrops(envelope.data.client_dropped ?? {});
  } else if (isJsonObject(body)) items = [body];
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
  const traces = new Set<string>();
  let overTraceLimit = 0;
  // Entries without an id get one derived from the batch, so a blind retry of the same batch stores nothing twice.
  let contentKey: string | undefined;
  const defaultId = (index: number) =>
    batchId ? `${batchId}.${index}` : `${(contentKey ??= batchContentKey(body, ctx.rawBody))}.${index}`;
  // A batch repeats itself (the page URL on every entry, the same stack or message over and over): each distinct
  // string is redacted once.
  const redacted = new Map<string, string>();
  const redact = (value: string) => {
    let out = redacted.get(value);
    if (out === undefined) redacted.set(value, (out = redactText(value, ctx.redactPatterns)));
    return out;
  };
  items.forEach((item, index) => {
    const parsed = IncomingEntrySchema.safeParse(item);
    if (!parsed.success) {
      problems.push(...issuesOf(parsed.error, index));
      const named = TraceIdSchema.safeParse(isJsonObject(item) ? item.trace_id : undefined);
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
    if (!traces.has(traceId)) {
      if (traces.size >= MAX_TRACES_PER_REQUEST) {
        overTraceLimit++;
        problems.push({
          index,
          field: "trace_id",
          problem: `a request may write at most ${MAX_TRACES_PER_REQUEST} distinct traces; send the entries of trace '${traceId}' in another request`,
        });
        return;
      }
      traces.add(traceId);
    }
    const truncated: string[] = [];
    const capped = (value: string, max: number, field: string) => {
      const { text, cut } = capRedacted(value, max, redact);
      if (cut) truncated.push(field);
      return text;
    };
    const entry: LogEntry = {
      id: e.id ?? defaultId(index),
      trace_id: traceId,
      system: ctx.forcedSystem ?? e.system ?? ctx.defaultSystem,
      level: e.level,
      message: capped(e.message, MAX_MESSAGE_CHARS, "message"),
      timestamp: e.timestamp ?? ctx.receivedAt,
      received_at: ctx.receivedAt,
    };
    const spanId = e.span_id ?? (e.trace_id ? undefined : ctx.traceparent?.spanId);
    if (spanId) entry.span_id = spanId;
    if (e.user_id) entry.user_id = redact(e.user_id);
    if (e.source) entry.source = redact(e.source);
    if (e.stack) entry.stack = capped(e.stack, MAX_STACK_CHARS, "stack");
    if (offset !== undefined) entry.clock_offset_ms = offset;
    if (e.url) entry.url = redact(e.url);
    if (e.context) {
      const input = boundContextInput(e.context);
      const context = capContext(redactTree(input.value, ctx.redactPatterns) as Record<string, unknown>);
      entry.context = context.value;
      if (input.cut || context.cut) truncated.push("context");
    }
    if (truncated.length) entry.truncated = truncated;
    entries.push(entry);
  });
  return { entries, problems, invalid, dropped, overTraceLimit, clientDropped };
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

/**
 * Client drop reasons as meta fields can hold them: at most MAX_CLIENT_DROP_REASONS (the rest summed as `other`),
 * letters, digits and `_` only, short enough to stay whole under MAX_DROP_REASON_CHARS with their `client_` prefix,
 * never a secret, counts at most MAX_CLIENT_DROP_COUNT.
 */
const CLIENT_PREFIX = "client_";

function boundClientDrops(reported: Record<string, unknown>): Record<string, number> {
  const out = new Map<string, number>();
  for (const raw of Object.keys(reported)) {
    const count = reported[raw];
    if (typeof count !== "number" || !Number.isInteger(count) || count <= 0) continue;
    let reason = "other";
    // Only the first reasons are read at all; the rest are summed without looking at them.
    if (out.size < MAX_CLIENT_DROP_REASONS) {
      reason = raw.slice(0, MAX_DROP_REASON_CHARS - CLIENT_PREFIX.length).replace(/[^A-Za-z0-9_]/g, "_") || "other";
      if (redactSecretShapes(reason) !== reason) reason = "other";
      const room = MAX_CLIENT_DROP_REASONS - (out.has("other") ? 0 : 1);
      if (!out.has(reason) && reason !== "other" && out.size >= room) reason = "other";
    }
    out.set(reason, Math.min(MAX_CLIENT_DROP_COUNT, (out.get(reason) ?? 0) + count));
  }
  return Object.fromEntries(out);
}

/** A key for the ids of a batch without batch_id: the same body always gives the same key. */
function batchContentKey(body: unknown, rawBody: string | undefined): string {
  let text = rawBody;
  if (text === undefined) {
    try {
      text = JSON.stringify(body);
    } catch {
      return `r${crypto.randomUUID()}`; // too deep to serialise: no stable key, so retries are not recognised
    }
  }
  return `b${hash64(text)}`;
}

/** A fast 64-bit string hash (two multiply-xor lanes, cyrb53's mixing), as 16 hex digits. Not cryptographic: it
 * only has to tell batches apart, and a client choosing its ids could pick any id anyway. */
function hash64(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, "0") + (h1 >>> 0).toString(16).padStart(8, "0");
}

function issuesOf(error: z.ZodError, index: number): EntryProblem[] {
  return error.issues.map((issue) => ({
    index,
    field: issue.path.join(".") || "(entry)",
    problem: issue.message,
  }));
}
