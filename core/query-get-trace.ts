// get_trace: one trace read once from the store, in corrected order, filtered, and one page of it built
// within the answer budget (core/views/trace.ts), with the text rendered from that page.
import {
  AROUND_CONTEXT_ENTRIES,
  buildTimeline,
  filterTimeline,
  traceWarnings,
  type EntryFilter,
} from "./analysis/index.js";
import { InputError } from "./errors.js";
import { loadTrace, paging } from "./query-shared.js";
import { describeSince, isNew, parseSince, sinceToken } from "./since.js";
import type { LogStore } from "./store/log-store.js";
import type { Answer } from "./views/page.js";
import type { TraceView } from "./views/schema.js";
import { buildTraceView, traceText } from "./views/trace.js";

export interface TraceQuery extends Omit<EntryFilter, "since"> {
  trace_id: string;
  /** A time (ms since epoch, corrected) or a since token from an earlier answer. */
  since?: number | string;
  /** An entry id: the page starts a few entries before it. */
  around?: string;
  limit: number;
  cursor?: string;
  budget_tokens?: number;
  /** Characters instead of the token budget (the JSON API). */
  max_chars?: number;
}

export async function getTrace(store: LogStore, query: TraceQuery, now = Date.now()): Promise<Answer<TraceView>> {
  const { trace_id, limit, cursor, budget_tokens, max_chars, around, since, ...rest } = query;
  const mark = typeof since === "string" ? parseSince(since) : undefined;
  const filter: EntryFilter = { ...rest, ...(typeof since === "number" ? { since } : {}) };
  if (around !== undefined && cursor) {
    throw new InputError("give either cursor (the next page) or around (a page at one entry), not both");
  }
  const page = paging({ tool: "get_trace", trace_id, filter, limit, since: mark ? since : undefined }, cursor);

  const { entries, summary, coverage } = await loadTrace(store, trace_id);
  const timeline = buildTimeline(entries);
  let items = filterTimeline(timeline.entries, filter);
  if (mark) items = items.filter((i) => isNew(mark, i.entry.received_at, i.entry.id));
  let offset = page.offset;
  if (around !== undefined) {
    const pos = items.findIndex((i) => i.entry.id === around);
    if (pos < 0) {
      throw new InputError(
        `around: no entry '${around}' among the ${items.length} entries of trace ${trace_id} that match the filters. Use an id from this trace's answers, or drop the filters.`,
      );
    }
    offset = Math.max(0, pos - AROUND_CONTEXT_ENTRIES);
  }
  const jumpArgs = {
    trace_id,
    ...rest,
    ...(since !== undefined ? { since } : {}),
    ...(limit !== 200 ? { limit } : {}),
  };
  const view = buildTraceView(
    {
      trace_id,
      summary,
      timeline,
      items,
      ...(describeFilter(filter) ? { filter: describeFilter(filter) } : {}),
      ...(mark ? { newOnly: describeSince(mark, "entries") } : {}),
      warnings: [
        ...(coverage.note ? [coverage.note] : []),
        ...traceWarnings(entries, summary, timeline.skew.systems, coverage.complete),
      ],
      since: sinceToken(
        entries.map((e) => ({ at: e.received_at, key: e.id })),
        now,
      ),
      jump: `get_trace ${JSON.stringify({ ...jumpArgs, around: "<id>" })}`,
      listAll: `get_trace ${JSON.stringify({ trace_id, levels: ["warn", "error"] })}`,
    },
    {
      offset,
      maxRows: limit,
      ...(budget_tokens ? { budgetTokens: budget_tokens } : {}),
      ...(max_chars ? { maxChars: max_chars } : {}),
      cursorAt: page.cursorAt,
    },
  );
  return { view, text: traceText(view) };
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
