// Every limit and default in one place. Runtime-configurable ones are read in config.ts.

/** Default retention of a trace in Redis, seconds, refreshed on every write. */
export const DEFAULT_LOG_TTL_SECONDS = 3600;
/** Longest a pinned trace is kept, seconds (pin_trace cannot exceed it). */
export const DEFAULT_PIN_MAX_SECONDS = 7 * 24 * 3600;
/** Default global ingestion quota, entries per rolling hour. */
export const DEFAULT_RATE_LIMIT_GLOBAL_PER_HOUR = 1000;
/** Default per-trace quota, entries per rolling hour. */
export const DEFAULT_RATE_LIMIT_PER_TRACE_PER_HOUR = 100;
/** Default shares of the global quota per system, percent. `manual` has no share of its own. */
export const DEFAULT_SYSTEM_SHARES: Record<string, number> = { browser: 40, convex: 30, worker: 30 };
/** Largest accepted request body, bytes, after decompression. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Most entries accepted in one request; the rest are reported as dropped. */
export const MAX_ENTRIES_PER_BATCH = 500;
/** Longest stored message, characters. */
export const MAX_MESSAGE_CHARS = 8 * 1024;
/** Longest stored stack, characters. */
export const MAX_STACK_CHARS = 16 * 1024;
/** Largest stored context, characters of JSON. */
export const MAX_CONTEXT_CHARS = 16 * 1024;
/** Deepest nesting kept in context; deeper objects become "[Depth limit]". */
export const MAX_CONTEXT_DEPTH = 6;
/** Longest string kept inside context, characters. */
export const MAX_CONTEXT_STRING_CHARS = 2 * 1024;
/** Marker appended to anything cut to fit. */
export const TRUNCATION_MARKER = "…[truncated]";
/** Traces kept in the recent-traces index (the oldest are trimmed). */
export const TRACE_INDEX_MAX = 10_000;
/** Error references kept in the recent-errors index (the oldest are trimmed). */
export const ERROR_INDEX_MAX = 5_000;
/** Seconds suggested in Retry-After when the store does not answer. */
export const STORE_RETRY_AFTER_SECONDS = 5;
/** Longest wait for one Redis request before the store counts as unreachable, ms. */
export const STORE_TIMEOUT_MS = 5_000;

// Convex log streams (POST /convex/log-stream) and the request-id join.
/** Most events one log stream request may carry: Convex sends at most 128 (WEBHOOK_SINK_MAX_LOGS_PER_BATCH). */
export const MAX_CONVEX_EVENTS_PER_REQUEST = 128;
/** Most Convex request ids one POST /log batch joins to its traces; further ones are left for later batches. */
export const MAX_CONVEX_JOINS_PER_REQUEST = 16;
/** Most stored list elements (writes) copied from one Convex request's own trace when a trace names its request id. */
export const MAX_CONVEX_JOIN_ENTRIES = 200;
