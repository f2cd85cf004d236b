// The get_trace answer: one page of a trace's entries in corrected order, built once within the budget
// (repeats folded, failures whole), with every failure outside the page named and one call away.
import { Room } from "../analysis/budget.js";
import { formatDuration, plural } from "../analysis/format.js";
import { ANSWER_LIST_MAX, ELSEWHERE_MESSAGE_CHARS, ELSEWHERE_ROWS_MAX } from "../analysis/limits.js";
import { isFailure } from "../analysis/signals.js";
import type { Timeline, TimelineEntry } from "../analysis/timeline.js";
import type { TraceSummary } from "../schema.js";
import { describeClocks, labels, packPage, pageReserve, pageText, roomFor, type PageOptions } from "./page.js";
import { entryRow, rowText, runs, shrinkRow } from "./rows.js";
import { DATA_NOTE, type EntryRow, type TraceView } from "./schema.js";
import { traceRow } from "./traces.js";

export interface TraceViewInput {
  trace_id: string;
  summary: TraceSummary;
  timeline: Timeline;
  /** Entries to show, in timeline order (after filtering). */
  items: readonly TimelineEntry[];
  filter?: string;
  newOnly?: string;
  warnings: string[];
  since: string;
  /** The call that opens a page around an entry, with `<id>` for the entry id. */
  jump: string;
  /** The call that lists every failure (repeats folded). */
  listAll: string;
}

export function buildTraceView(input: TraceViewInput, options: PageOptions): TraceView {
  const { timeline, items } = input;
  const skewed = timeline.skew.systems;
  const view: TraceView = {
    note: DATA_NOTE,
    trace_id: input.trace_id,
    trace: {
      ...traceRow(input.summary),
      start: Math.round(timeline.start),
      duration_ms: Math.round(timeline.duration_ms),
      read: timeline.entries.length,
    },
    ...(input.filter ? { filter: input.filter } : {}),
    matching: items.length,
    ...(input.newOnly ? { new_only: input.newOnly } : {}),
    ...(skewed.length
      ? {
          clocks: skewed.map(({ system, method, skew_ms, description }) => ({
            system,
            method,
            skew_ms: Math.round(skew_ms),
            description,
          })),
        }
      : {}),
    warnings: labels(input.warnings, ANSWER_LIST_MAX, "more warnings"),
    entries: [],
    page: { from: 0, to: 0, of: items.length, rows: 0 },
    since: input.since,
  };
  const room = roomFor(options);
  const paging = { ...options, total: items.length };
  room.charge(view, headerText(view));
  pageReserve(room, paging, view.since.length);

  const failures = failureRuns(items);
  // Room for the failures outside the page, set aside before the page is packed.
  const reserve = failures.length ? Math.min(room.left / 4, 600 + ELSEWHERE_ROWS_MAX * 260) : 0;
  const offset = Math.min(Math.max(0, options.offset), items.length);
  const pageRoom = new Room(room.left - reserve);
  const rowsFrom = function* () {
    for (const run of runs(items, offset)) {
      yield { row: () => entryRow(run.first, run.count, run.last), covers: run.count };
    }
  };
  const packed = packPage(rowsFrom(), pageRoom, paging, (r) => rowText(r), shrinkRow);
  view.entries = packed.rows;
  view.page = packed.page;
  const end = packed.page.to || offset;

  const outside = failures.filter((f) => f.at + f.count <= offset || f.at >= end);
  if (outside.length) {
    const elsewhere = { count: 0, rows: [] as EntryRow[], jump: input.jump };
    const listRoom = new Room(reserve + pageRoom.left);
    listRoom.charge(
      { ...elsewhere, more: 1e6, list_all: input.listAll },
      "x".repeat(200 + input.jump.length + input.listAll.length),
    );
    for (const f of outside) {
      elsewhere.count += f.count;
      if (elsewhere.rows.length >= ELSEWHERE_ROWS_MAX) continue;
      const row = entryRow(f.first, f.count, f.last, { maxMessage: ELSEWHERE_MESSAGE_CHARS, noStack: true });
      if (listRoom.take(row, rowText(row))) elsewhere.rows.push(row);
    }
    const more = outside.length - elsewhere.rows.length;
    view.elsewhere = { ...elsewhere, ...(more > 0 ? { more, list_all: input.listAll } : {}) };
  }
  return view;
}

/** Failures among `items`, identical consecutive ones folded, in order. */
function failureRuns(items: readonly TimelineEntry[]) {
  const found: Array<{ first: TimelineEntry; last: TimelineEntry; count: number; at: number }> = [];
  for (let k = 0; k < items.length; k++) {
    if (!isFailure(items[k]!.entry)) continue;
    const prev = found[found.length - 1];
    const e = items[k]!.entry;
    const p = prev?.last.entry;
    if (
      prev &&
      prev.at + prev.count === k &&
      p &&
      p.message === e.message &&
      p.system === e.system &&
      p.level === e.level
    ) {
      prev.last = items[k]!;
      prev.count++;
    } else found.push({ first: items[k]!, last: items[k]!, count: 1, at: k });
  }
  return found;
}

function headerText(view: TraceView): string {
  const t = view.trace;
  const systems = Object.entries(t.by_system)
    .map(([s, n]) => `${s} ${n}`)
    .join(", ");
  const lines = [
    `Trace ${view.trace_id}: ${plural(t.read, "entry", "entries")} (${systems || "none"}) over ${formatDuration(t.duration_ms)}${t.read ? `, from ${new Date(t.start).toISOString()} (server clock)` : ""}.`,
  ];
  if (t.users.length)
    lines.push(
      `Users: ${t.users.map((u) => JSON.stringify(u)).join(", ")}${t.users_more ? ` (+${t.users_more} more)` : ""}.`,
    );
  if (view.filter || view.new_only) {
    const parts = [view.filter, view.new_only].filter(Boolean).join("; ");
    lines.push(`Filter: ${parts}; ${plural(view.matching, "entry", "entries")} match.`);
  }
  if (view.clocks?.length) {
    lines.push(`Clocks: ${describeClocks(view.clocks)}. Times are corrected and relative to the first entry.`);
  }
  for (const w of view.warnings) lines.push(`Warning: ${w}.`);
  lines.push(view.note);
  return lines.join("\n");
}

/** The text answer, rendered from the view alone. */
export function traceText(view: TraceView): string {
  const lines = [headerText(view), ...view.entries.map((r) => rowText(r))];
  const el = view.elsewhere;
  if (el) {
    lines.push(
      `${plural(el.count, "failure")}${view.filter || view.new_only ? " matching the filters" : ""} ${el.count === 1 ? "is" : "are"} not on this page; open one with ${el.jump}:`,
    );
    lines.push(...el.rows.map((r) => rowText(r)));
    if (el.more)
      lines.push(`  (${plural(el.more, "more distinct failure")} not listed; list them all with ${el.list_all})`);
  }
  lines.push(pageText(view.page, ["entry", "entries"]));
  lines.push(`Since: pass since "${view.since}" later to get only entries that arrive after this answer.`);
  return lines.join("\n");
}
