// The correlate_trace answer, built from the Correlation object: the summary and the root cause first
// (its message whole, its top frames), then chains, retry storms, warnings, timeline, hops and gaps for as
// long as the budget lasts; what did not fit is counted in left_out. The text is rendered from this view.
import type { Room } from "../analysis/budget.js";
import type { Correlation } from "../analysis/correlate.js";
import { formatDuration, formatRelative, plural, safeText } from "../analysis/format.js";
import { ANSWER_LIST_MAX, ROUTINE_MESSAGE_CHARS, RENDER_STACK_LINES } from "../analysis/limits.js";
import type { LogEntry } from "../schema.js";
import { describeClocks, labels, roomFor } from "./page.js";
import { cut, quotedMessage, stackTop } from "./rows.js";
import { DATA_NOTE, type CorrelationView } from "./schema.js";

type View = CorrelationView;
type Section = "error_chains" | "retry_storms" | "warnings" | "timeline" | "hops" | "gaps";

/** Sections after the root cause, in order of value; the budget ends the answer where it runs out. */
const SECTIONS: Section[] = ["error_chains", "retry_storms", "warnings", "timeline", "hops", "gaps"];

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
  const sections = [...SECTIONS, ...extra];

  const room = roomFor(options);
  const view: View = { ...full, ...Object.fromEntries(sections.map((name) => [name, []])) };
  room.charge(view, headText(view));
  // left_out at its largest, and the section titles of the text.
  room.charge({ left_out: Object.fromEntries(sections.map((s) => [s, 1e6])) }, "x".repeat(700 + 40 * extra.length));
  if (view.root_cause && room.left < 0) view.root_cause = shrinkRoot(view.root_cause, room);
  const leftOut: Record<string, number> = {};
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

/** A root cause too long for the whole budget keeps what fits of its message (the cut is reported). */
function shrinkRoot(root: NonNullable<View["root_cause"]>, room: Room): NonNullable<View["root_cause"]> {
  const over = -room.left;
  const keep = Math.max(0, root.message.length - over - 200);
  const message = root.message.slice(0, keep);
  room.used -= root.message.length - message.length;
  return { ...root, message, message_cut: (root.message_cut ?? 0) + root.message.length - message.length };
}

function itemText(name: Section, item: never, i: number): string {
  switch (name) {
    case "error_chains":
      return chainText(item, i);
    case "retry_storms":
      return stormText(item);
    case "warnings":
      return `  - ${item}`;
    case "timeline":
      return `${lineText(item)}\n            (9,999 entries not shown)`;
    case "hops":
      return hopText(item);
    case "gaps":
      return gapText(item);
    default:
      return `  - ${JSON.stringify(item)}`;
  }
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

/** Keys the text renders by name; any other field of the view or the root cause is rendered as data. */
const VIEW_KEYS = new Set(["note", "trace_id", "summary", "root_cause", "skew", "stats", "left_out", ...SECTIONS]);
const ROOT_KEYS = new Set([
  "id",
  "system",
  "level",
  "message",
  "message_cut",
  "timestamp",
  "rel_ms",
  "stack_top",
  "evidence",
]);

function chainText(ch: View["error_chains"][number], i: number): string {
  return [
    `  ${i + 1}. ${plural(ch.error_count, "failure")} in ${ch.systems.join(", ")} from ${formatRelative(ch.start_ms)} to ${formatRelative(ch.end_ms)}${ch.propagation.length ? `, propagated ${ch.propagation.join(", ")}` : ""}; root [${ch.root_id}]; ids ${ch.errors.join(", ")}${ch.error_count > ch.errors.length ? ` (+${ch.error_count - ch.errors.length} more)` : ""}`,
    ...ch.evidence.map((e) => `     - ${e}`),
  ].join("\n");
}

function stormText(s: View["retry_storms"][number]): string {
  return `  ${s.kind === "retry" ? "retry " : "repeat"} ${s.system} ${s.level} x${s.count} from ${formatRelative(s.first_ms)} to ${formatRelative(s.last_ms)} ${quotedMessage(s.message, s.message_cut)}  [${s.first_id} … ${s.last_id}]`;
}

function lineText(l: View["timeline"][number]): string {
  const repeat = l.count ? `  x${l.count} until ${formatRelative(l.last_rel_ms ?? l.rel_ms)} [${l.last_id}]` : "";
  return `  ${l.failure ? "!" : " "}${formatRelative(l.rel_ms).padStart(10)} ${l.system.padEnd(7)} ${l.level.padEnd(5)} ${quotedMessage(l.message, l.message_cut)}  [${l.id}]${repeat}`;
}

function hopText(h: View["hops"][number]): string {
  return `  ${formatRelative(h.at_ms)} ${h.from} -> ${h.to} after ${formatDuration(h.gap_ms)}  [${h.from_id} -> ${h.to_id}]`;
}

function gapText(g: View["gaps"][number]): string {
  return `  ${formatRelative(g.at_ms)} silence of ${formatDuration(g.gap_ms)}${g.times_median ? ` (${g.times_median}x the median)` : ""}  [${g.after_id} -> ${g.before_id}]`;
}

function headText(v: View): string {
  const lines = [`Correlation report for trace ${v.trace_id}.`, v.note, "Summary:", `  ${v.summary}`, "Root cause:"];
  const r = v.root_cause;
  if (!r) lines.push("  none: no errors or failure warnings in this trace");
  else {
    lines.push(
      `  ${r.system} ${r.level} at ${formatRelative(r.rel_ms)} ${quotedMessage(r.message, r.message_cut)}  [${r.id}]`,
    );
    r.stack_top.forEach((f, i) => lines.push(`    ${i === 0 ? "stack: " : "       "}${JSON.stringify(f)}`));
    lines.push(...r.evidence.map((e) => `  - ${e}`));
    for (const [key, value] of Object.entries(r)) {
      if (!ROOT_KEYS.has(key)) lines.push(`  ${key}: ${JSON.stringify(value)}`);
    }
  }
  for (const [key, value] of Object.entries(v)) {
    if (!VIEW_KEYS.has(key) && !Array.isArray(value)) lines.push(`${key}: ${JSON.stringify(value)}`);
  }
  if (v.skew.length) lines.push("Clocks:", `  ${describeClocks(v.skew)}`);
  return lines.join("\n");
}

/** The text answer, rendered from the view alone. */
export function correlationText(v: View): string {
  const lines = [headText(v)];
  const stats = v.stats;
  if (v.error_chains.length) {
    lines.push(`Error chains (${v.error_chains.length} of ${stats.chains_total}):`);
    v.error_chains.forEach((ch, i) => lines.push(chainText(ch, i)));
  }
  if (v.retry_storms.length) {
    lines.push("Retry storms and repeated failures before the last failure:", ...v.retry_storms.map(stormText));
  }
  if (v.warnings.length) lines.push("Warnings:", ...v.warnings.map((w) => `  - ${w}`));
  if (v.timeline.length) {
    lines.push(
      `Timeline (${v.timeline.reduce((n, l) => n + (l.count ?? 1), 0)} of ${plural(stats.timeline_total, "entry", "entries")}; ! marks failures; get_trace shows all):`,
    );
    let expected = 0;
    for (const l of v.timeline) {
      if (l.index > expected) lines.push(`            (${plural(l.index - expected, "entry", "entries")} not shown)`);
      lines.push(lineText(l));
      expected = l.index + (l.count ?? 1);
    }
    if (stats.timeline_total > expected) {
      lines.push(`            (${plural(stats.timeline_total - expected, "entry", "entries")} not shown)`);
    }
  }
  if (v.hops.length) lines.push(`Cross-system hops (${v.hops.length} of ${stats.hops_total}):`, ...v.hops.map(hopText));
  if (v.gaps.length) {
    lines.push(
      `Notable gaps (${v.gaps.length} of ${stats.gaps_total}; median spacing ${formatDuration(stats.median_gap_ms)}):`,
      ...v.gaps.map(gapText),
    );
  }
  for (const [key, value] of Object.entries(v)) {
    if (VIEW_KEYS.has(key) || !Array.isArray(value) || !value.length) continue;
    lines.push(`${key} (${value.length}):`, ...value.map((item) => `  - ${JSON.stringify(item)}`));
  }
  if (v.left_out) {
    const parts = Object.entries(v.left_out).map(([name, n]) => `${name.replace("_", " ")} (${n})`);
    lines.push(
      `Left out for the answer budget: ${parts.join(", ")}. Raise budget_tokens, or call get_trace to read the entries.`,
    );
  }
  return lines.join("\n");
}
