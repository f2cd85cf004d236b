// search_logs: entries by text or bounded regex across recent traces.
import {
  buildTimeline,
  decodeCursor,
  encodeCursor,
  filterTimeline,
  renderSearchHits,
  type EntryFilter,
  type RenderedPage,
} from "./analysis/index.js";
import { InputError } from "./errors.js";
import type { LogEntry } from "./schema.js";
import { entryView, type EntryView } from "./query-get-trace.js";
import { loadTrace } from "./query-shared.js";
import type { LogStore } from "./store/log-store.js";

/** Traces read by one search, newest activity first (each read is one Redis command). */
export const SEARCH_TRACES_MAX = 50;
/** Entries searched at most; traces beyond it are reported as not searched. */
export const SEARCH_ENTRIES_MAX = 50_000;

export interface SearchQuery extends Omit<EntryFilter, "text"> {
  query?: string;
  since_minutes: number;
  trace_id?: string;
  limit: number;
  cursor?: string;
}

export interface SearchResult {
  hits: Array<EntryView & { trace_id: string }>;
  total: number;
  traces_searched: number;
  next_cursor?: string;
  page: RenderedPage;
}

export async function searchLogs(store: LogStore, q: SearchQuery, now: number): Promise<SearchResult> {
  if (!q.query && !q.regex) throw new InputError("Give query (text) or regex to search for");
  const { limit, cursor, since_minutes, query, trace_id, ...rest } = q;
  const filter: EntryFilter = { ...rest, ...(query ? { text: query } : {}) };
  const scope = { tool: "search_logs", filter, since_minutes, trace_id, limit };
  const offset = cursor ? decodeCursor(cursor, scope) : 0;
  const since = now - since_minutes * 60_000;

  const ids = trace_id ? [trace_id] : (await store.listTraces(since, SEARCH_TRACES_MAX + 1)).map((t) => t.trace_id);
  const skippedTraces = Math.max(0, ids.length - SEARCH_TRACES_MAX);
  const traces = await Promise.all(ids.slice(0, SEARCH_TRACES_MAX).map((id) => store.readTrace(id)));
  let entries: LogEntry[] = [];
  let notSearched = skippedTraces ? `${skippedTraces}+ older traces (search at most ${SEARCH_TRACES_MAX})` : "";
  for (const t of traces) {
    if (!t) continue;
    if (entries.length + t.entries.length > SEARCH_ENTRIES_MAX) {
      notSearched = `traces beyond the first ${SEARCH_ENTRIES_MAX.toLocaleString("en-US")} entries`;
      break;
    }
    entries = entries.concat(t.entries);
  }
  if (trace_id && !traces[0]) await loadTrace(store, trace_id); // throws the not-found answer
  const timeline = buildTimeline(entries);
  const hits = filterTimeline(timeline.entries, { ...filter, since: Math.max(filter.since ?? 0, since) });
  const label = [query ? `text ${JSON.stringify(query)}` : "", q.regex ? `regex ${JSON.stringify(q.regex)}` : ""]
    .filter(Boolean)
    .join(" and ");
  const page = renderSearchHits(
    {
      query: `${label} in the last ${since_minutes} min${trace_id ? ` of trace ${trace_id}` : ""}`,
      hits,
      ...(notSearched ? { notSearched } : {}),
    },
    { offset, maxItems: limit, continueWith: (n) => `cursor "${encodeCursor(n, scope)}"` },
  );
  return {
    hits: hits
      .slice(page.offset, page.offset + page.shown)
      .map((h) => ({ ...entryView(h), trace_id: h.entry.trace_id })),
    total: hits.length,
    traces_searched: traces.filter(Boolean).length,
    ...(page.next_offset !== null ? { next_cursor: encodeCursor(page.next_offset, scope) } : {}),
    page,
  };
}
