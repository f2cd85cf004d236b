// The correlate_trace answer, built from the Correlation object: the summary and the root cause first
// (its message whole, its top frames), then chains, retry storms, warnings, timeline, hops and gaps for as
// long as the budget lasts; what did not fit is counted in left_out. The text is rendered from this view.
import { sizeOf, type Room } from "../analysis/budget.js";
import type { Correlation } from "../analysis/correlate.js";
import { safeText } from "../analysis/format.js";
import { ANSWER_LIST_MAX, ROUTINE_MESSAGE_CHARS, RENDER_STACK_LINES } from "../analysis/limits.js";
import type { LogEntry } from "../schema.js";
import { correlationText, headText, itemText, LEADING, SECTIONS, type Section } from "./correlation-text.js";
import { labels, roomFor } from "./page.js";
import { cut, stackTop } from "./rows.js";
import { DATA_NOTE, type CorrelationView } from "./schema.js";

export { correlationText };

type View = CorrelationView;

export interface CorrelationViewOptions {
  budgetTokens?: number;
  /** Characters instead of the token budget (the JSON API). */
  maxChars?: number;
}

/** `entryOf` gives the stored entry of an id, so the root cause and failures are shown whole. */
export function buildCorrelationView(
  c: Correlation,
  entryOf: (id: string) => LogEntry | undefined,
  options: CorrelationViewOptions = {},
): View {
  const root = c.root_cause;
  const rootEntry = root ? entryOf(root.id) : undefined;
  let rootView: View["root_cause"] = null;
  if (root) {
    const [message, messageCut] = cut(rootEntry?.message ?? root.message, Infinity);
    rootView = {
      ...root,
      message,
      ...(messageCut ? { message_cut: messageCut } : {}),
      ...(root.source ? { source: cut(root.source, Infinity)[0] } : {}),
      stack_top: rootEntry?.stack
        ? (stackTop(rootEntry.stack, RENDER_STACK_LINES).stack ?? [])
        : root.stack_top.map(safeText),
    };
  }
  const full: View = {
    note: DATA_NOTE,
    trace_id: c.trace_id,
    summary: c.summary,
    root_cause: rootView,
    skew: c.skew.map((x) => ({ ...x })),
    stats: { ...c.stats },
    error_chains: c.error_chains.map((x) => ({ ...x })),
    retry_storms: c.retry_storms.map(({ normalised: _n, ...s }) => {
      const [message, messageCut] = cut(s.message, ROUTINE_MESSAGE_CHARS);
      return { ...s, message, ...(messageCut ? { message_cut: messageCut } : {}) };
    }),
    warnings: labels(c.warnings, ANSWER_LIST_MAX * 2, "more warnings"),
    timeline: foldLines(c.timeline).map(({ line: l, count, last }) => {
      const entry = entryOf(l.id);
      const [message, messageCut] = cut(entry?.message ?? l.message, l.failure ? Infinity : ROUTINE_MESSAGE_CHARS);
      return {
        ...l,
        message,
        ...(messageCut ? { message_cut: messageCut } : {}),
        ...(count > 1 ? { count, last_id: last.id, last_rel_ms: last.rel_ms } : {}),
      };
    }),
    hops: c.hops.map((x) => ({ ...x })),
    gaps: c.gaps.map((x) => ({ ...x })),
  };

  // Fields this view does not know yet (the analysis grows): carried as data, lists budgeted like the others.
  const extra: string[] = [];
  for (const [key, value] of Object.entries(c)) {
    if (key in full) continue;
    (full as Record<string, unknown>)[key] = safeDeep(value);
    if (Array.isArray(value)) extra.push(key);
  }
  // Lists the analysis puts first (whole failures, benign judgements) lead; other new lists follow the known ones.
  const sections = [
    ...extra.filter((k) => LEADING.includes(k)),
    ...SECTIONS,
    ...extra.filter((k) => !LEADING.includes(k)),
  ];

  const room = roomFor(options);
  const view: View = { ...full, ...Object.fromEntries(sections.map((name) => [name, []])) };
  const leftOut: Record<string, number> = {};
  // left_out at its largest, and the section titles of the text.
  room.charge({ left_out: Object.fromEntries(sections.map((s) => [s, 1e6])) }, "x".repeat(900 + 40 * extra.length));
  fitHead(view, room, leftOut);
  let full_ = true;
  for (const name of sections) {
    const items = full[name] as unknown[];
    const kept = view[name] as unknown[];
    for (let i = 0; i < items.length; i++) {
      if (!full_ || !room.take(items[i], itemText(name as Section, items[i] as never, i))) {
        full_ = false;
        leftOut[name] = items.length - i;
        break;
      }
      kept.push(items[i]);
    }
  }
  if (Object.keys(leftOut).length) view.left_out = leftOut;
  return view;
}

/** Consecutive timeline lines (adjacent in the trace) with the same system, level and message, as one. */
function foldLines(lines: Correlation["timeline"]) {
  const runs: Array<{ line: Correlation["timeline"][number]; count: number; last: Correlation["timeline"][number] }> =
    [];
  for (const l of lines) {
    const run = runs[runs.length - 1];
    const p = run?.last;
    if (
      run &&
      p &&
      p.index + 1 === l.index &&
      p.system === l.system &&
      p.level === l.level &&
      p.message === l.message
    ) {
      run.last = l;
      run.count++;
    } else runs.push({ line: l, count: 1, last: l });
  }
  return runs;
}

/** Lists of the root cause given up first, last item first, when the head alone is over the budget. */
const ROOT_LISTS = ["alternatives", "path", "evidence", "stack_top"];

/**
 * Charges the head (summary and root cause). When it is over the room alone, the root cause's lists lose their
 * last items first (counted in left_out as "root_cause.<list>"), then its message and the summary are cut
 * (reported like any cut), so even the smallest budget holds.
 */
function fitHead(view: View, room: Room, leftOut: Record<string, number>): void {
  const base = room.used;
  const cost = () => sizeOf(view, headText(view)) + 120 * Object.keys(leftOut).length;
  for (let guard = 0; base + cost() > room.max && guard < 10_000; guard++) {
    const root = view.root_cause as Record<string, unknown> | null;
    const list = root && ROOT_LISTS.find((k) => Array.isArray(root[k]) && (root[k] as unknown[]).length > 0);
    if (root && list) {
      root[list] = (root[list] as unknown[]).slice(0, -1);
      leftOut[`root_cause.${list}`] = (leftOut[`root_cause.${list}`] ?? 0) + 1;
    } else if (view.root_cause && view.root_cause.message.length > 200) {
      const r = view.root_cause;
      const message = r.message.slice(0, Math.floor(r.message.length / 2));
      view.root_cause = { ...r, message, message_cut: (r.message_cut ?? 0) + r.message.length - message.length };
    } else if (view.summary.length > 200) {
      view.summary = `${view.summary.slice(0, Math.floor(view.summary.length / 2))}…[summary cut]`;
    } else break;
  }
  room.used = base + cost();
}

/** Every string in a value made safe to quote (fields the view carries without knowing their shape). */
function safeDeep(value: unknown): unknown {
  if (typeof value === "string") return safeText(value);
  if (Array.isArray(value)) return value.map(safeDeep);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, safeDeep(v)]));
  }
  return value;
}
