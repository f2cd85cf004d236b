// search_logs and list_errors: questions across recent traces, answered from the trace and error indexes.
import {
  buildTimeline,
  decodeCursor,
  encodeCursor,
  filterTimeline,
  groupErrors,
  renderErrorGroups,
  renderSearchHits,
  type EntryFilter,
  type ErrorGroup,
  type RenderedPage,
} from "./analysis/index.js";
import { InputError } from "./errors.js";
import { READ_MAX_BYTES } from "./limits.js";
import type { LogEntry, System } from "./schema.js";
import { entryView, loadTrace, type EntryView } from "./query-trace.js";
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

export interface ErrorsQuery {
  since_minutes: number;
  system?: System;
  trace_id?: string;
  limit: number;
  cursor?: string;
}

export interface ErrorsResult {
  groups: ErrorGroup[];
  total_errors: number;
  next_cursor?: string;
  page: RenderedPage;
}

export async function listErrors(store: LogStore, q: ErrorsQuery, now: number): Promise<ErrorsResult> {
  const scope = {
    tool: "list_errors",
    since_minutes: q.since_minutes,
    system: q.system,
    trace_id: q.trace_id,
    limit: q.limit,
  };
  const offset = q.cursor ? decodeCursor(q.cursor, scope) : 0;
  const since = now - q.since_minutes * 60_000;
  let errors: LogEntry[];
  if (q.trace_id) {
    // One trace: read it whole, so the answer does not depend on the trimmed error index.
    errors = (await loadTrace(store, q.trace_id)).entries.filter((e) => e.level === "error" && e.received_at >= since);
  } else {
    errors = await store.listErrorRefs(since);
  }
  if (q.system) errors = errors.filter((e) => e.system === q.system);
  const groups = groupErrors(errors);
  const scopeText = `in the last ${q.since_minutes} min${q.system ? ` from ${q.system}` : ""}${q.trace_id ? ` in trace ${q.trace_id}` : ""}`;
  const page = renderErrorGroups(groups, {
    offset,
    maxItems: q.limit,
    scope: scopeText,
    continueWith: (n) => `cursor "${encodeCursor(n, scope)}"`,
  });
  return {
    groups: groups.slice(page.offset, page.offset + page.shown),
    total_errors: errors.length,
    ...(page.next_offset !== null ? { next_cursor: encodeCursor(page.next_offset, scope) } : {}),
    page,
  };
}
