// list_traces and pin_trace: recent traces from the index, filtered and paged, and retention control.
import { decodeCursor, encodeCursor } from "./analysis/cursor.js";
import { InputError, NotFoundError } from "./errors.js";
import type { Config } from "./config.js";
import type { System, TraceSummary } from "./schema.js";
import type { LogStore } from "./store/log-store.js";

/** Traces read from the index per listing before filtering (bounded cost: the index, then their meta, two commands). */
export const LIST_TRACES_SCAN = 1000;

export interface ListTracesParams {
  since_minutes: number;
  system?: System;
  has_errors?: boolean;
  user_id?: string;
  limit: number;
  cursor?: string;
}

export interface ListTracesResult {
  traces: TraceSummary[];
  total: number;
  next_cursor?: string;
}

export async function listTraces(store: LogStore, params: ListTracesParams, now: number): Promise<ListTracesResult> {
  const { cursor, limit, ...filters } = params;
  const scope = { tool: "list_traces", ...filters, limit };
  const offset = cursor ? decodeCursor(cursor, scope) : 0;
  const all = await store.listTraces(now - params.since_minutes * 60_000, LIST_TRACES_SCAN);
  const matching = all.filter(
    (t) =>
      (!params.system || (t.by_system[params.system] ?? 0) > 0) &&
      (params.has_errors === undefined || t.error_count > 0 === params.has_errors) &&
      (!params.user_id || t.users.includes(params.user_id)),
  );
  const page = matching.slice(offset, offset + limit);
  const next = offset + page.length;
  return {
    traces: page,
    total: matching.length,
    ...(next < matching.length ? { next_cursor: encodeCursor(next, scope) } : {}),
  };
}

export interface PinResult {
  trace_id: string;
  pinned: boolean;
  ttl_seconds: number;
  expires_at: number;
}

export async function pinTrace(
  store: LogStore,
  config: Pick<Config, "pinMaxSeconds">,
  traceId: string,
  hours: number,
  now: number,
): Promise<PinResult> {
  if (hours * 3600 > config.pinMaxSeconds) {
    throw new InputError(`hours must be at most ${config.pinMaxSeconds / 3600} (PIN_MAX_SECONDS)`);
  }
  const ttl = await store.pinTrace(traceId, Math.round(hours * 3600), now);
  if (ttl === null) throw traceNotFound(traceId);
  return { trace_id: traceId, pinned: hours > 0, ttl_seconds: ttl, expires_at: now + ttl * 1000 };
}

/** The one wording for an unknown or expired trace, with the way out. */
export function traceNotFound(traceId: string): NotFoundError {
  return new NotFoundError(
    `No trace '${traceId}' in the store: it never existed or expired (traces are kept about an hour unless pinned). Call list_traces to see recent trace ids, or search_logs to find one by text.`,
  );
}
