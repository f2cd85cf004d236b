// Redis key names in one place. A trace's entries live at exactly `${prefix}logs:${trace_id}`.
import { TraceIdSchema } from "../schema.js";

/** One rolling rate-limit window, ms. */
export const RATE_WINDOW_MS = 3600_000;

export interface TraceKeys {
  /** List of the trace's entries, one JSON entry per element, in arrival order. */
  list: string;
  /** Hash: counts by system/level, first/last seen, users, drops, rate-limit counters, pin (fields in layout.ts). */
  meta: string;
  /** Set of stored entry ids, for idempotent retries. */
  ids: string;
  /** List of the positions in `list` of the entries at level error or warn (`e:12`, `w:40`), for bounded reads. */
  notable: string;
}

export function traceKeys(prefix: string, traceId: string): TraceKeys {
  // Validation here too: a trace id must never address another key, whoever calls this.
  TraceIdSchema.parse(traceId);
  const list = `${prefix}logs:${traceId}`;
  return { list, meta: metaKey(prefix, traceId), ids: `${list}:ids`, notable: `${list}:notable` };
}

/** The meta hash of one trace (list_traces passes these in KEYS). */
export function metaKey(prefix: string, traceId: string): string {
  return `${prefix}logs:${traceId}:meta`;
}

export function indexKeys(prefix: string) {
  return {
    /** Sorted set: trace id scored by last activity (ms). */
    traces: `${prefix}idx:traces`,
    /** Sorted set: compact error references scored by receive time (ms). */
    errors: `${prefix}idx:errors`,
  };
}

/** Hash of global and per-system counters for one rate-limit window. */
export function rateKey(prefix: string, bucket: number): string {
  return `${prefix}rl:${bucket}`;
}
