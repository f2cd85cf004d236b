// The correlate_trace answer, built from the Correlation object: the summary and the root cause first
// (its message whole, its top frames), then chains, retry storms, warnings, timeline, hops and gaps for as
// long as the budget lasts; what did not fit is counted in left_out. The text is rendered from this view.
import { sizeOf, type Room } from "../analysis/budget.js";
import type { Correlation } from "../analysis/correlate.js";
import { formatDuration, formatRelative, plural, safeText } from "../analysis/format.js";
import { ANSWER_LIST_MAX, ROUTINE_MESSAGE_CHARS, RENDER_STACK_LINES } from "../analysis/limits.js";
import type { LogEntry } from "../schema.js";
import { describeClocks, labels, roomFor } from "./page.js";
import { cut, quotedMessage, stackTop } from "./rows.js";
import { DATA_NOTE, type CorrelationView } from "./schema.js";

type View = CorrelationView;
type Section = "failures" | "benign" | "error_chains" | "retry_storms" | "warnings" | "timeline" | "hops" | "gaps";

/** Sections after the root cause, in order of value; the budget ends the answer where it runs out. */
const SECTIONS: Section[] = [
  "failures",
  "benign",
  "error_chains",
  "retry_storms",
  "warnings",
  "timeline",
  "hops",
  "gaps",
];

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
    // Whole messages (the stored entry's), the root cause itself left out: it is shown above.
    failures: c.failures
      .filter((f) => f.id !== root?.id)
      .map(({ stack_more: _more, ...f }) => {
        const [message, messageCut] = cut(entryOf(f.id)?.message ?? f.message, Infinity);
        return {
          ...f,
          message,
          ...(messageCut ? { message_cut: messageCut } : {}),
          stack_top: f.stack_top.slice(0, 3).map(safeText),
        };
      }),
    benign: c.benign.map((b) => {
      const [message, messageCut] = cut(b.message, ROUTINE_MESSAGE_CHARS);
      return { ...b, message, ...(messageCut ? { message_cut: messageCut } : {}) };
    }),
    // pairs and causal_shift_ms are in each description's words.
    skew: c.skew.map(({ pairs: _pairs, causal_shift_ms: _shift, ...x }) => ({ ...x })),
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

  const room = roomFor(options);
  const view: View = {
    ...full,
    failures: [],
    benign: [],
    error_chains: [],
    retry_storms: [],
    warnings: [],
    timeline: [],
    hops: [],
    gaps: [],
  };
  const used = room.used;
  room.charge(view, headText(view));
  // left_out at its largest, and the section titles of the text.
  const reserve = sizeOf({ left_out: Object.fromEntries(SECTIONS.map((s) => [s, 1e6])) }, "x".repeat(700));
  room.used += reserve;
  // shrinkRoot estimates what each cut saves; the charge is then measured again, twice at most.
  for (let pass = 0; pass < 2 && view.root_cause && room.left < 0; pass++) {
    view.root_cause = shrinkRoot(view.root_cause, room);
    room.used = used + sizeOf(view, headText(view)) + reserve;
  }
  const leftOut: Record<string, number> = {};
  let full_ = true;
  for (const name of SECTIONS) {
    const items = full[name] as unknown[];
    const kept = view[name] as unknown[];
    for (let i = 0; i < items.length; i++) {
      if (!full_ || !room.take(items[i], itemText(name, items[i] as never, i))) {
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

/** Evidence lines of the root cause kept when the budget is too small for all of them. */
const ROOT_EVIDENCE_KEPT = 1;

/** A root cause too long for the whole budget keeps what fits of its message (the cut is reported). */
function shrinkRoot(root: NonNullable<View["root_cause"]>, room: Room): NonNullable<View["root_cause"]> {
  // The alternatives considered go first, then evidence past the first lines (both counted), then the
  // message's tail.
  const size = (r: unknown) => JSON.stringify(r).length;
  const before = size(root);
  if (root.alternatives.length) {
    root = { ...root, alternatives: [], alternatives_omitted: root.alternatives.length };
  }
  if (room.left + before - size(root) < 0) {
    // Lines that restate a step of `path` ("[a] convex -> [b] browser ...") go first.
    const own = root.evidence.filter((e) => !e.startsWith("["));
    const kept = own.slice(0, ROOT_EVIDENCE_KEPT);
    if (kept.length < root.evidence.length) {
      root = { ...root, evidence: kept, evidence_omitted: root.evidence.length - kept.length };
    }
  }
  room.used -= before - size(root);
  if (room.left >= 0) return root;
  const over = -room.left;
  const keep = Math.max(0, root.message.length - over - 200);
  const message = root.message.slice(0, keep);
  room.used -= root.message.length - message.length;
  root = { ...root, message, message_cut: (root.message_cut ?? 0) + root.message.length - message.length };
  if (room.left >= 0 || !root.evidence.length) return root;
  // Still over: the path carries the evidence; the sentences restating it go.
  const shorter = { ...root, evidence: [], evidence_omitted: (root.evidence_omitted ?? 0) + root.evidence.length };
  room.used -= size(root) - size(shorter);
  return shorter;
}

function itemText(name: Section, item: never, i: number): string {
  switch (name) {
    case "failures":
      return failureText(item);
    case "benign":
      return benignText(item);
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
  }
}

function failureText(f: View["failures"][number]): string {
  const stack = f.stack_top.length
    ? `\n    stack: ${f.stack_top.map((x) => JSON.stringify(x)).join("\n           ")}`
    : "";
  return `  ${f.role}: ${f.system} ${f.level} at ${formatRelative(f.rel_ms)}${f.count > 1 ? ` x${f.count}` : ""} ${quotedMessage(f.message, f.message_cut)}  [${f.id}]${stack}`;
}

function benignText(b: View["benign"][number]): string {
  return `  ${b.system} ${b.level}${b.count > 1 ? ` x${b.count}` : ""} ${quotedMessage(b.message, b.message_cut)}  [${b.id}]: ${b.reason}`;
}

const ROLE_LABEL: Record<string, string> = {
  main: "",
  moved_past: "(earlier; the user moved past it) ",
  other: "(not seen by the user) ",
};

function chainText(ch: View["error_chains"][number], i: number): string {
  return [
    `  ${i + 1}. ${ROLE_LABEL[ch.role] ?? ""}${plural(ch.error_count, "failure")} in ${ch.systems.join(", ")} from ${formatRelative(ch.start_ms)} to ${formatRelative(ch.end_ms)}${ch.propagation.length ? `, propagated ${ch.propagation.join(", ")}` : ""}; root [${ch.root_id}]; ids ${ch.errors.join(", ")}${ch.error_count > ch.errors.length ? ` (+${ch.error_count - ch.errors.length} more)` : ""}`,
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
  return `  ${formatRelative(h.at_ms)} ${h.from} -> ${h.to} after ${formatDuration(h.gap_ms)}, ${h.evidence}  [${h.from_id} -> ${h.to_id}]`;
}

function gapText(g: View["gaps"][number]): string {
  return `  ${formatRelative(g.at_ms)} silence of ${formatDuration(g.gap_ms)}${g.times_median ? ` (${g.times_median}x the median)` : ""}  [${g.after_id} -> ${g.before_id}]`;
}

function headText(v: View): string {
  const r = v.root_cause;
  const lines = [
    `Correlation report for trace ${v.trace_id}.`,
    v.note,
    "Summary:",
    `  ${v.summary}`,
    r
      ? `Root cause (${r.confidence} confidence${r.confidence_reason ? `: ${r.confidence_reason}` : ""}):`
      : "Root cause:",
  ];
  if (!r) lines.push("  none: no failure the user saw in this trace");
  else {
    lines.push(
      `  ${r.system} ${r.level} at ${formatRelative(r.rel_ms)} ${quotedMessage(r.message, r.message_cut)}  [${r.id}]`,
    );
    r.stack_top.forEach((f, i) => lines.push(`    ${i === 0 ? "stack: " : "       "}${JSON.stringify(f)}`));
    lines.push(...r.evidence.map((e) => `  - ${e}`));
    lines.push(
      ...r.alternatives.map(
        (a) => `  - considered [${a.id}] ${a.system} ${a.level} ${JSON.stringify(a.message)}: ${a.why_not}`,
      ),
    );
  }
  if (v.skew.length) lines.push("Clocks:", `  ${describeClocks(v.skew)}`);
  return lines.join("\n");
}

/** The text answer, rendered from the view alone. */
export function correlationText(v: View): string {
  const lines = [headText(v)];
  const stats = v.stats;
  if (v.failures.length) lines.push("Failures (whole messages):", ...v.failures.map(failureText));
  if (v.benign.length) {
    lines.push(`Looked alarming, judged benign (${v.benign.length} of ${stats.benign_total ?? v.benign.length}):`);
    lines.push(...v.benign.map(benignText));
  }
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
  if (v.left_out) {
    const parts = Object.entries(v.left_out).map(([name, n]) => `${name.replace("_", " ")} (${n})`);
    lines.push(
      `Left out for the answer budget: ${parts.join(", ")}. Raise budget_tokens, or call get_trace to read the entries.`,
    );
  }
  return lines.join("\n");
}
