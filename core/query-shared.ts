// What every query module shares: reading one trace (with the one not-found answer) and the paging tail
// (cursor for the next page, bound to the query that made it).
import { decodeCursor, encodeCursor } from "./analysis/cursor.js";
import { NotFoundError } from "./errors.js";
import type { LogStore, StoredTrace } from "./store/log-store.js";

/** The one wording for an unknown or expired trace, with the way out. */
export function traceNotFound(traceId: string): NotFoundError {
  return new NotFoundError(
    `No trace '${traceId}' in the store: it never existed or expired (traces are kept about an hour unless pinned). Call list_traces to see recent trace ids, or search_logs to find one by text.`,
  );
}

export async function loadTrace(store: LogStore, traceId: string): Promise<StoredTrace> {
  const trace = await store.readTrace(traceId);
  if (!trace) throw traceNotFound(traceId);
  return trace;
}

/** A listing's paging: the offset a cursor decodes to, and the cursor of any later offset, in one scope. */
export interface Paging {
  offset: number;
  cursorAt(offset: number): string;
  /** `{ next_cursor }` when `next` is not null, else nothing: spread into a result. */
  tail(next: number | null): { next_cursor?: string };
}

/** `scope` is what defines the result list (tool name, filters, limit): a cursor is refused in another scope. */
export function paging(scope: unknown, cursor: string | undefined): Paging {
  const cursorAt = (n: number) => encodeCursor(n, scope);
  return {
    offset: cursor ? decodeCursor(cursor, scope) : 0,
    cursorAt,
    tail: (next) => (next !== null ? { next_cursor: cursorAt(next) } : {}),
  };
}
