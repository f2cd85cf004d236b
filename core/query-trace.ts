// get_trace and correlate_trace: one trace read once from the store, analysed in core/analysis,
// rendered within a token budget, with a structured page for tools and the JSON API.
import {
  buildTimeline,
  correlateTrace,
  decodeCursor,
  encodeCursor,
  filterTimeline,
  renderCorrelation,
  renderTrace,
  traceWarnings,
  type Correlation,
  type EntryFilter,
  type RenderedPage,
  type TimelineEntry,
} from "./analysis/index.js";
import { traceNotFound } from "./query-traces.js";
import type { LogEntry, TraceSummary } from "./schema.js";
import type { LogStore, StoredTrace } from "./store/log-store.js";

/** Characters of a message kept in a structured entry (the text rendering has its own cap). */
export const STRUCTURED_MESSAGE_CHARS = 300;

export interface TraceQuery extends EntryFilter {
  trace_id: string;
  limit: number;
  cursor?: string;
  budget_tokens?: number;
}

/** An entry as tools return it: corrected time first, message capped, no context. */
export interface EntryView {
  id: string;
  timestamp: number;
  rel_ms: number;
  system: LogEntry["system"];
  level: LogEntry["level"];
  message: string;
  source?: string;
  stack_top?: string;
  span_id?: string;
  user_id?: string;
}

export interface TracePage {
  trace_id: string;
  summary: TraceSummary;
  total_entries: number;
  matching: number;
  entries: EntryView[];
  truncated: boolean;
  next_cursor?: string;
  warnings: string[];
  page: RenderedPage;
}

export async function loadTrace(store: LogStore, traceId: string): Promise<StoredTrace> {
  const trace = await store.readTrace(traceId);
  if (!trace) throw traceNotFound(traceId);
  return trace;
}

export async function getTrace(store: LogStore, query: TraceQuery): Promise<TracePage> {
  const { trace_id, limit, cursor, budget_tokens, ...filter } = query;
  const scope = { tool: "get_trace", trace_id, filter, limit };
  const offset = cursor ? decodeCursor(cursor, scope) : 0;
  const { entries, summary, coverage } = await loadTrace(store, trace_id);
  const timeline = buildTimeline(entries);
  const items = filterTimeline(timeline.entries, filter);
  const warnings = traceWarnings(entries, summary, timeline.skew.systems);
  if (coverage.note) warnings.unshift(coverage.note);
  const page = renderTrace(
    { trace_id, timeline, items, filter: describeFilter(filter), warnings },
    {
      offset,
      maxItems: limit,
      ...(budget_tokens ? { budgetTokens: budget_tokens } : {}),
      continueWith: (n) => `cursor "${encodeCursor(n, scope)}"`,
    },
  );
  const shown = items.slice(page.offset, page.offset + page.shown);
  return {
    trace_id,
    summary,
    total_entries: coverage.complete ? entries.length : Math.max(summary.count, entries.length),
    matching: items.length,
    entries: shown.map(entryView),
    truncated: page.next_offset !== null,
    ...(page.next_offset !== null ? { next_cursor: encodeCursor(page.next_offset, scope) } : {}),
    warnings,
    page,
  };
}

/** The correlation of one trace (what the JSON API returns). */
export async function analyseTrace(store: LogStore, traceId: string): Promise<Correlation> {
  const { entries, summary, coverage } = await loadTrace(store, traceId);
  const correlation = correlateTrace(entries, summary);
  if (coverage.note) correlation.warnings.unshift(coverage.note);
  return correlation;
}

/** The correlation with its text report for an agent (correlate_trace). */
export async function correlate(
  store: LogStore,
  traceId: string,
  budgetTokens?: number,
): Promise<{ correlation: Correlation; page: RenderedPage }> {
  const correlation = await analyseTrace(store, traceId);
  return { correlation, page: renderCorrelation(correlation, budgetTokens ? { budgetTokens } : {}) };
}

export function entryView(item: TimelineEntry): EntryView {
  const e = item.entry;
  const view: EntryView = {
    id: e.id,
    timestamp: Math.round(item.t),
    rel_ms: Math.round(item.rel_ms),
    system: e.system,
    level: e.level,
    message:
      e.message.length > STRUCTURED_MESSAGE_CHARS ? `${e.message.slice(0, STRUCTURED_MESSAGE_CHARS)}…` : e.message,
  };
  if (e.source) view.source = e.source;
  if (e.stack) view.stack_top = e.stack.split("\n").slice(0, 3).join("\n").slice(0, 400);
  if (e.span_id) view.span_id = e.span_id;
  if (e.user_id) view.user_id = e.user_id;
  return view;
}

export function describeFilter(filter: EntryFilter): string | undefined {
  const parts: string[] = [];
  if (filter.systems?.length) parts.push(`systems ${filter.systems.join(", ")}`);
  if (filter.levels?.length) parts.push(`levels ${filter.levels.join(", ")}`);
  if (filter.since !== undefined) parts.push(`since ${new Date(filter.since).toISOString()}`);
  if (filter.until !== undefined) parts.push(`until ${new Date(filter.until).toISOString()}`);
  if (filter.text) parts.push(`text ${JSON.stringify(filter.text)}`);
  if (filter.regex) parts.push(`regex ${JSON.stringify(filter.regex)}`);
  return parts.length ? parts.join("; ") : undefined;
}
