// The list_errors answer: error groups by fingerprint, most frequent first, each with a whole sample
// message and its top frames, paged by group within the budget.
import type { ErrorGroup } from "../analysis/fingerprint.js";
import { plural, safeText } from "../analysis/format.js";
import { RENDER_STACK_LINES } from "../analysis/limits.js";
import type { LogEntry } from "../schema.js";
import { packPage, pageReserve, pageText, roomFor, type PageOptions } from "./page.js";
import { cut, quotedMessage, shrinkRow, stackTop } from "./rows.js";
import { DATA_NOTE, type ErrorGroupRow, type ErrorsView } from "./schema.js";

export interface ErrorsViewInput {
  groups: readonly ErrorGroup[];
  /** The sample entries by id, for their whole message and stack. */
  samples: ReadonlyMap<string, LogEntry>;
  scope: string;
  newOnly?: string;
  total_errors: number;
  since: string;
}

export function buildErrorsView(input: ErrorsViewInput, options: PageOptions): ErrorsView {
  const { groups } = input;
  const view: ErrorsView = {
    note: DATA_NOTE,
    scope: input.scope,
    ...(input.newOnly ? { new_only: input.newOnly } : {}),
    total_errors: input.total_errors,
    groups: [],
    page: { from: 0, to: 0, of: groups.length, rows: 0 },
    since: input.since,
  };
  const room = roomFor(options);
  const paging = { ...options, total: groups.length };
  room.charge(view, headerText(view));
  pageReserve(room, paging, view.since.length);
  const rowsFrom = function* () {
    for (let k = Math.min(Math.max(0, options.offset), groups.length); k < groups.length; k++) {
      const g = groups[k]!;
      yield { row: () => groupRow(g, input.samples.get(g.sample_id)), covers: 1 };
    }
  };
  const packed = packPage(rowsFrom(), room, paging, groupText, shrinkGroup);
  view.groups = packed.rows;
  view.page = packed.page;
  return view;
}

/** A group too big for the room alone keeps what fits of its sample message, without the stack. */
function shrinkGroup(row: ErrorGroupRow, chars: number): ErrorGroupRow {
  const { stack: _s, ...rest } = row;
  const small = shrinkRow({ ...rest, id: row.sample_id, rel_ms: 0, system: "manual", level: "error" }, chars - 400);
  return { ...rest, message: small.message, ...(small.message_cut ? { message_cut: small.message_cut } : {}) };
}

function groupRow(g: ErrorGroup, sample: LogEntry | undefined): ErrorGroupRow {
  const [message, messageCut] = cut(sample?.message ?? g.sample_message, Infinity);
  const stack = sample?.stack ? stackTop(sample.stack, RENDER_STACK_LINES).stack : g.sample_stack_top.map(safeText);
  return {
    fingerprint: g.fingerprint,
    count: g.count,
    systems: g.systems,
    ...(g.error_type ? { error_type: g.error_type } : {}),
    first_seen: g.first_seen,
    last_seen: g.last_seen,
    sample_id: g.sample_id,
    message,
    ...(messageCut ? { message_cut: messageCut } : {}),
    ...(stack?.length ? { stack } : {}),
    trace_ids: g.trace_ids,
    trace_count: g.trace_count,
  };
}

function headerText(view: ErrorsView): string {
  return [
    `${plural(view.page.of, "error group")} (${plural(view.total_errors, "error")}) ${view.scope}${view.new_only ? `, ${view.new_only}` : ""}, most frequent first. Times are the server clock.`,
    view.note,
  ].join("\n");
}

function groupText(g: ErrorGroupRow): string {
  const lines = [
    `[${g.fingerprint}] x${g.count} in ${g.systems.join(", ")}${g.error_type ? `, ${g.error_type}` : ""}; ${plural(g.trace_count, "trace")}; first ${new Date(g.first_seen).toISOString()}, last ${new Date(g.last_seen).toISOString()}`,
    `    ${quotedMessage(g.message, g.message_cut)}  [sample ${g.sample_id}]`,
    ...(g.stack ?? []).map((f, i) => `    ${i === 0 ? "at: " : "    "}${JSON.stringify(f)}`),
    `    traces: ${g.trace_ids.join(", ")}${g.trace_count > g.trace_ids.length ? ` (+${g.trace_count - g.trace_ids.length} more)` : ""}`,
  ];
  return lines.join("\n");
}

export function errorsText(view: ErrorsView): string {
  return [
    headerText(view),
    ...view.groups.map(groupText),
    pageText(view.page, ["group", "groups"]),
    `Since: pass since "${view.since}" later to get only errors that arrive after this answer.`,
  ].join("\n");
}
