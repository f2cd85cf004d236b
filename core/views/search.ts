// The search_logs answer: matching entries from several traces, repeats folded, within the budget.
import { plural } from "../analysis/format.js";
import type { TimelineEntry } from "../analysis/timeline.js";
import { packPage, pageReserve, pageText, roomFor, type PageOptions } from "./page.js";
import { hitRow, rowText, runs, shrinkRow } from "./rows.js";
import { DATA_NOTE, type SearchView } from "./schema.js";

export interface SearchViewInput {
  /** What was searched, e.g. `text "timeout" in the last 60 min`. */
  query: string;
  /** Matching entries in corrected time order. */
  hits: readonly TimelineEntry[];
  traces_searched: number;
  notSearched?: string;
}

export function buildSearchView(input: SearchViewInput, options: PageOptions): SearchView {
  const { hits } = input;
  const view: SearchView = {
    note: DATA_NOTE,
    query: input.query,
    total: hits.length,
    traces_searched: input.traces_searched,
    ...(input.notSearched ? { not_searched: input.notSearched } : {}),
    hits: [],
    page: { from: 0, to: 0, of: hits.length, rows: 0 },
  };
  const room = roomFor(options);
  const paging = { ...options, total: hits.length };
  room.charge(view, headerText(view));
  pageReserve(room, paging, 0);
  const rowsFrom = function* () {
    for (const run of runs(hits, Math.min(Math.max(0, options.offset), hits.length))) {
      yield { row: () => hitRow(run.first, run.count, run.last), covers: run.count };
    }
  };
  const packed = packPage(rowsFrom(), room, paging, (r) => rowText(r), shrinkRow);
  view.hits = packed.rows;
  view.page = packed.page;
  return view;
}

function headerText(view: SearchView): string {
  const traces = new Set(view.hits.map((h) => h.trace_id)).size;
  const lines = [
    `Search ${view.query}: ${plural(view.total, "hit")}${view.hits.length ? ` (this page from ${plural(traces, "trace")})` : ""}; ${plural(view.traces_searched, "trace")} searched.`,
  ];
  if (view.not_searched) lines.push(`Not searched: ${view.not_searched}.`);
  if (view.total) lines.push("Columns: time (server clock), trace id, system, level, message, [entry id].");
  lines.push(view.note);
  return lines.join("\n");
}

export function searchText(view: SearchView): string {
  return [headerText(view), ...view.hits.map((r) => rowText(r)), pageText(view.page, ["hit", "hits"])].join("\n");
}
