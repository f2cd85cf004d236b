// list_traces: recent traces from the index, filtered and paged.
import { decodeCursor, encodeCursor } from "./analysis/cursor.js";
import type { System, TraceSummary } from "./schema.js";
import type { LogStore } from "./store/log-store.js";

/** Traces read from the index per listing before filtering (bounded cost, one command). */
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
