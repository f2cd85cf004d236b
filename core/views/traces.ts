// The list_traces answer: recent traces newest activity first, each on one line, within the budget.
// User ids and drop reasons come from clients: quoted, cut and bounded like any log content.
import { plural } from "../analysis/format.js";
import { ANSWER_LIST_MAX } from "../analysis/limits.js";
import type { TraceSummary } from "../schema.js";
import { labels, packPage, pageReserve, pageText, roomFor, type PageOptions } from "./page.js";
import { DATA_NOTE, type TraceRow, type TracesView } from "./schema.js";

export interface TracesViewInput {
  traces: readonly TraceSummary[];
  scope: string;
  newOnly?: string;
  since: string;
  now: number;
}

export function buildTracesView(input: TracesViewInput, options: PageOptions): TracesView {
  const { traces } = input;
  const view: TracesView = {
    note: DATA_NOTE,
    scope: input.scope,
    ...(input.newOnly ? { new_only: input.newOnly } : {}),
    total: traces.length,
    traces: [],
    page: { from: 0, to: 0, of: traces.length, rows: 0 },
    since: input.since,
  };
  const room = roomFor(options);
  const paging = { ...options, total: traces.length };
  room.charge(view, headerText(view));
  pageReserve(room, paging, view.since.length);
  const rowsFrom = function* () {
    for (let k = Math.min(Math.max(0, options.offset), traces.length); k < traces.length; k++) {
      const t = traces[k]!;
      yield { row: () => traceRow(t), covers: 1 };
    }
  };
  const packed = packPage(rowsFrom(), room, paging, (t) => traceText(t, input.now), shrinkTrace);
  view.traces = packed.rows;
  view.page = packed.page;
  return view;
}

export function traceRow(t: TraceSummary): TraceRow {
  const users = labels(t.users, ANSWER_LIST_MAX, "").slice(0, ANSWER_LIST_MAX);
  const dropped = t.dropped.slice(0, ANSWER_LIST_MAX).map((d) => ({ ...d, reason: labels([d.reason], 1, "")[0]! }));
  return {
    ...t,
    users,
    dropped,
    ...(t.users.length > users.length ? { users_more: t.users.length - users.length } : {}),
    ...(t.dropped.length > dropped.length ? { dropped_more: t.dropped.length - dropped.length } : {}),
  };
}

/** A trace too big for the room alone keeps its counts; its users and drop reasons are only counted. */
function shrinkTrace(t: TraceRow): TraceRow {
  return {
    ...t,
    users: [],
    dropped: [],
    ...(t.users.length || t.users_more ? { users_more: t.users.length + (t.users_more ?? 0) } : {}),
    ...(t.dropped.length || t.dropped_more ? { dropped_more: t.dropped.length + (t.dropped_more ?? 0) } : {}),
  };
}

/** "12 s ago", "3 min ago", "2.1 h ago". */
export function ago(now: number, at: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${(s / 3600).toFixed(1)} h ago`;
}

/** "browser 30, convex 12". */
export function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
}

/** `37 browser by "rate_limit_trace"`: reasons may come from clients, so they are quoted. */
export function droppedText(dropped: TraceSummary["dropped"]): string {
  return dropped.map((d) => `${d.count} ${d.system} by ${JSON.stringify(d.reason)}`).join(", ");
}

function traceText(t: TraceRow, now: number): string {
  const parts = [
    t.trace_id,
    `last ${ago(now, t.last_seen)}, first ${ago(now, t.first_seen)}`,
    `${plural(t.count, "entry", "entries")} (${countsText(t.by_system)})`,
    t.error_count ? plural(t.error_count, "error") : "no errors",
  ];
  if (t.users.length) {
    parts.push(
      `users: ${t.users.map((u) => JSON.stringify(u)).join(", ")}${t.users_more ? ` (+${t.users_more} more)` : ""}`,
    );
  }
  if (t.dropped.length)
    parts.push(`dropped: ${droppedText(t.dropped)}${t.dropped_more ? ` (+${t.dropped_more} more reasons)` : ""}`);
  if (t.pinned_until && t.pinned_until > now) parts.push("pinned");
  return `- ${parts.join(" | ")}`;
}

function headerText(view: TracesView): string {
  if (view.total === 0) {
    return `No traces ${view.scope}${view.new_only ? `, ${view.new_only}` : ""} match. Widen since_minutes or drop filters; check that clients post to /log.\n${view.note}`;
  }
  const verb = view.total === 1 ? "matches" : "match";
  return `${plural(view.total, "trace")} ${view.scope}${view.new_only ? `, ${view.new_only}` : ""} ${verb}, newest activity first.\n${view.note}`;
}

export function tracesText(view: TracesView, now: number): string {
  return [
    headerText(view),
    ...view.traces.map((t) => traceText(t, now)),
    ...(view.total ? [pageText(view.page, ["trace", "traces"])] : []),
    `Since: pass since "${view.since}" later to list only traces with activity after this answer.`,
  ].join("\n");
}
