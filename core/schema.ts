// The log entry model: one zod schema validates ingestion and shapes what tools return.
// Types are inferred from these schemas; nothing else defines the shape of an entry.
import { z } from "zod";
import { SAFE_ID } from "./ids.js";
import { isJsonObject } from "./json.js";
import { MAX_TIME_MS } from "./limits.js";
import { redactSecretShapes } from "./redact.js";

export const SYSTEMS = ["browser", "convex", "worker", "manual"] as const;
export const LEVELS = ["debug", "log", "info", "warn", "error"] as const;

export const SystemSchema = z
  .enum(SYSTEMS)
  .describe("Which part of the app wrote the entry: browser, convex, worker or manual.");
export const LevelSchema = z.enum(LEVELS).describe("Console level: debug, log, info, warn or error.");

/** Characters allowed in ids that become part of Redis keys: no spaces, braces, `*` or `/`, never `.` or `..`. */
export const SAFE_ID_PATTERN = SAFE_ID;

export const TraceIdSchema = z
  .string()
  .min(1, "trace_id is empty")
  .max(128, "trace_id is longer than 128 characters")
  .regex(SAFE_ID_PATTERN, "trace_id may only contain letters, digits and . _ : -, and is not . or ..")
  .describe(
    "The trace id that ties one user action together across systems, e.g. '4bf92f3577b34da6a3ce929d0e0e4736'. Get one from list_traces, list_errors or search_logs.",
  );

export const EntryIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(SAFE_ID_PATTERN, "id may only contain letters, digits and . _ : -, and is not . or ..");

// Ids are stored, indexed and shown as they are, so one shaped like a credential (a JWT, an API key) is refused.
const notCredential = (id: string) => redactSecretShapes(id) === id;
const CREDENTIAL_ID = "looks like a credential (a JWT or an API key): ids are stored and shown unredacted";
const IncomingIdSchema = EntryIdSchema.refine(notCredential, `id ${CREDENTIAL_ID}`);

/** Milliseconds since the epoch, before 2100: readers show times as dates. */
const TimeSchema = (field: string) =>
  z
    .number()
    .finite()
    .nonnegative()
    .max(MAX_TIME_MS, `${field} must be milliseconds since the epoch, before 2100 (${MAX_TIME_MS})`);

/**
 * A JSON object, checked in constant time: a record schema would validate every key, and a context or a
 * client_dropped map can hold 100,000 of them. Normalisation reads only as many as it keeps.
 */
const JsonObjectSchema = <T>(what: string) =>
  z.custom<Record<string, T>>((v) => isJsonObject(v), `${what} must be a JSON object`);

/** What a client sends. Unknown fields are stripped; oversized values are truncated later, not rejected. */
export const IncomingEntrySchema = z.object({
  id: IncomingIdSchema.optional(),
  trace_id: TraceIdSchema.refine(notCredential, `trace_id ${CREDENTIAL_ID}`).optional(),
  span_id: z.string().max(64).regex(SAFE_ID_PATTERN).refine(notCredential, `span_id ${CREDENTIAL_ID}`).optional(),
  user_id: z.string().max(256).optional(),
  system: SystemSchema.optional(),
  source: z.string().max(128).optional(),
  level: LevelSchema.default("log"),
  message: z.string(),
  stack: z.string().optional(),
  /** Milliseconds since the epoch on the sender's clock; the receive time when absent. */
  timestamp: TimeSchema("timestamp").optional(),
  context: JsonObjectSchema<unknown>("context").optional(),
  url: z.string().max(4096).optional(),
});
export type IncomingEntry = z.infer<typeof IncomingEntrySchema>;

/** A batch with the sender's clock reading, used to correct clock skew. */
export const EnvelopeSchema = z.object({
  sent_at: TimeSchema("sent_at").optional(),
  batch_id: IncomingIdSchema.optional(),
  entries: z.array(z.unknown()),
  /** Entries the client itself dropped before sending (full queue, client rate limit), by reason (counts checked
   * and reasons bounded by normalisation). */
  client_dropped: JsonObjectSchema<number>("client_dropped").optional(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** An entry as stored in Redis and returned by every reader. */
export const LogEntrySchema = z.object({
  id: z.string(),
  trace_id: z.string(),
  span_id: z.string().optional(),
  user_id: z.string().optional(),
  system: SystemSchema,
  source: z.string().optional(),
  level: LevelSchema,
  message: z.string(),
  stack: z.string().optional(),
  // Stored times are bounded as at ingestion, so every reader can format them as dates.
  timestamp: z.number().min(0).max(MAX_TIME_MS).describe("Sender's clock, ms since epoch."),
  received_at: z.number().min(0).max(MAX_TIME_MS).describe("Ingestion server's clock, ms since epoch."),
  clock_offset_ms: z
    .number()
    .min(-MAX_TIME_MS)
    .max(MAX_TIME_MS)
    .optional()
    .describe(
      "received_at minus the batch's sent_at: add it to timestamp to get server time. Absent when the batch carried no sent_at.",
    ),
  context: z.record(z.string(), z.unknown()).optional(),
  url: z.string().optional(),
  truncated: z.array(z.string()).optional().describe("Fields that were cut to fit the limits."),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;
export type System = z.infer<typeof SystemSchema>;
export type Level = z.infer<typeof LevelSchema>;

/** Per-trace summary kept beside the entries (counts, first/last seen, drops). */
export const TraceSummarySchema = z.object({
  trace_id: z.string(),
  first_seen: z.number(),
  last_seen: z.number(),
  count: z.number(),
  error_count: z.number(),
  by_system: z.record(z.string(), z.number()),
  by_level: z.record(z.string(), z.number()),
  users: z.array(z.string()),
  dropped: z
    .array(z.object({ system: z.string(), reason: z.string(), count: z.number() }))
    .describe(
      "Entries that were not stored, by system and reason (rate_limit_trace, rate_limit_global, rate_limit_system, trace_full, client_*).",
    ),
  pinned_until: z.number().optional(),
  ttl_seconds: z.number().optional(),
});
export type TraceSummary = z.infer<typeof TraceSummarySchema>;
