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

// Storage bounds (core/store): what one trace may hold and what one read may carry.
/** Default most entries one trace holds (MAX_ENTRIES_PER_TRACE); later ones are dropped as `trace_full`. */
export const DEFAULT_MAX_ENTRIES_PER_TRACE = 50_000;
/**
 * Most bytes of entry JSON one trace holds; later entries are dropped as `trace_full`. Below Upstash's max record
 * size (100 MB on Free and Pay as you go: https://upstash.com/docs/redis/troubleshooting/max_record_size_exceeded).
 */
export const MAX_TRACE_BYTES = 64 * 1024 * 1024;
/** Share of every budget (per trace, per system, global) that only warn and error entries may use, percent. */
export const RATE_LIMIT_RESERVE_PERCENT = 20;
/**
 * Most bytes of entries in one store reply (one page of a read). Upstash refuses a request, and a reply, over its
 * max request size (10 MB: https://upstash.com/docs/redis/troubleshooting/max_request_size_exceeded).
 */
export const READ_PAGE_BYTES = 2 * 1024 * 1024;
/** Most pages (Redis commands) one trace read takes. */
export const READ_MAX_PAGES = 4;
/** Most bytes of stored entries one trace read holds in the Worker (128 MB of memory in all). */
export const READ_MAX_BYTES = 8 * 1024 * 1024;
/** Entries read before and after each error or warning of a trace too large to read whole. */
export const READ_CONTEXT_ENTRIES = 20;
/** Entries read at the end of a trace too large to read whole. */
export const READ_TAIL_ENTRIES = 200;
/** Errors and warnings (the latest) whose surroundings a read of a large trace looks at. */
export const READ_NOTABLE_MAX = 500;
/** Distinct users one trace's summary lists (the first ones seen); later users are not listed. */
export const MAX_USERS_PER_TRACE = 100;
/** Distinct drop reasons one write records; the rest are counted together as `other`. */
export const MAX_DROP_REASONS_PER_WRITE = 16;
/** Longest drop reason recorded, characters. */
export const MAX_DROP_REASON_CHARS = 64;
/** Error references one Redis reply carries (list_errors reads up to ERROR_INDEX_MAX in such pages). */
export const ERROR_REFS_PAGE = 1000;
/** Most bytes of trace summaries one list_traces reply carries; older traces beyond it are not listed. */
export const LIST_REPLY_BYTES = 4 * 1024 * 1024;

// Hostile-input bounds: what one request may cost, and the sane range of what it may say.
/** Latest time accepted in `timestamp` and `sent_at`, ms since epoch (2100-01-01T00:00:00Z); readers format times
 * as dates, and a Date ends near 8.64e15. */
export const MAX_TIME_MS = Date.UTC(2100, 0, 1);
/** Most distinct traces one request may write: each costs one Redis command, so a request costs at most this many.
 * Entries of further traces are refused with per-entry details. */
export const MAX_TRACES_PER_REQUEST = 8;
/** Most distinct `client_dropped` reasons kept per request; the rest are summed under `client_other`. */
export const MAX_CLIENT_DROP_REASONS = 8;
/** Largest count accepted per `client_dropped` reason. */
export const MAX_CLIENT_DROP_COUNT = 1_000_000;
/** Extra characters of a long string read past its cap before redaction, so a secret crossing the cut is still
 * recognised whole; anything further is never scanned. */
export const REDACT_LOOKAHEAD_CHARS = 1024;
/** Keys read per context object before bounding; further keys are dropped (the context is marked truncated). */
export const MAX_CONTEXT_KEYS = 200;

// Convex log streams (POST /convex/log-stream) and the request-id join.
/** Most events one log stream request may carry: Convex sends at most 128 (WEBHOOK_SINK_MAX_LOGS_PER_BATCH). */
export const MAX_CONVEX_EVENTS_PER_REQUEST = 128;
/** Most Convex request ids one POST /log batch joins to its traces; further ones are left for later batches. */
export const MAX_CONVEX_JOINS_PER_REQUEST = 16;
/** Most stored list elements (one per entry) copied from a Convex request's own trace when a trace names it. */
export const MAX_CONVEX_JOIN_ENTRIES = 200;
