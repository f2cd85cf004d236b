// search_logs: entries by text or bounded regex across recent traces.
import { buildTimeline, filterTimeline, type EntryFilter } from "./analysis/index.js";
import { InputError } from "./errors.js";
import { READ_MAX_BYTES } from "./limits.js";
import type { LogEntry } from "./schema.js";
import { loadTrace, paging } from "./query-shared.js";
import type { LogStore } from "./store/log-store.js";
import type { Answer } from "./views/page.js";
import type { SearchView } from "./views/schema.js";
import { buildSearchView, searchText } from "./views/search.js";

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
  budget_tokens?: number;
}

export async function searchLogs(store: LogStore, q: SearchQuery, now: number): Promise<Answer<SearchView>> {
  if (!q.query && !q.regex)
    throw new InputError('search_logs needs query (text) or regex, e.g. { "query": "timeout" }');
  const { limit, cursor, since_minutes, query, trace_id, budget_tokens, ...rest } = q;
  const filter: EntryFilter = { ...rest, ...(query ? { text: query } : {}) };
  const page = paging({ tool: "search_logs", filter, since_minutes, trace_id, limit }, cursor);
  const since = now - since_minutes * 60_000;

  const ids = trace_id ? [trace_id] : (await store.listTraces(since, SEARCH_TRACES_MAX + 1)).map((t) => t.trace_id);
  const skippedTraces = Math.max(0, ids.length - SEARCH_TRACES_MAX);
  // One page per trace, and the read budget shared among them (see READ_MAX_BYTES).
  const read = {
    maxPages: 1,
    maxBytes: Math.floor(READ_MAX_BYTES / Math.max(1, Math.min(ids.length, SEARCH_TRACES_MAX))),
  };
  const traces = await Promise.all(ids.slice(0, SEARCH_TRACES_MAX).map((id) => store.readTrace(id, read)));
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
  const partial = traces.filter((t) => t && !t.coverage.complete);
  if (partial.length) {
    const unread = partial.reduce((n, t) => n + (t!.coverage.elements - t!.coverage.read), 0);
    const part = `${unread.toLocaleString("en-US")} entries of ${partial.length} large traces (read in part: their start, end and the entries around errors)`;
    notSearched = notSearched ? `${notSearched}; ${part}` : part;
  }
  if (trace_id && !traces[0]) await loadTrace(store, trace_id); // throws the not-found answer
  const timeline = buildTimeline(entries);
  const hits = filterTimeline(timeline.entries, { ...filter, since: Math.max(filter.since ?? 0, since) });
  const label = [query ? `text ${JSON.stringify(query)}` : "", q.regex ? `regex ${JSON.stringify(q.regex)}` : ""]
    .filter(Boolean)
    .join(" and ");
  const view = buildSearchView(
    {
      query: `${label} in the last ${since_minutes} min${trace_id ? ` of trace ${trace_id}` : ""}`,
      hits,
      traces_searched: traces.filter(Boolean).length,
      ...(notSearched ? { notSearched } : {}),
    },
    {
      offset: page.offset,
      maxRows: limit,
      ...(budget_tokens ? { budgetTokens: budget_tokens } : {}),
      cursorAt: page.cursorAt,
    },
  );
  return { view, text: searchText(view) };
}
