// The correlate_trace text, rendered from the view alone (so it cannot say more or less than the JSON), and the
// text of each section item, which the builder charges to the budget.
import { formatDuration, formatRelative, plural, quote } from "../analysis/format.js";
import { describeClocks } from "./page.js";
import { quotedMessage } from "./rows.js";
import type { CorrelationView } from "./schema.js";

type View = CorrelationView;
export type Section = "error_chains" | "retry_storms" | "warnings" | "timeline" | "hops" | "gaps";

/** Sections after the root cause, in order of value; the budget ends the answer where it runs out. */
export const SECTIONS: Section[] = ["error_chains", "retry_storms", "warnings", "timeline", "hops", "gaps"];
/** Lists of the analysis shown before the chains when it has them. */
export const LEADING = ["failures", "benign"];

export function itemText(name: Section, item: never, i: number): string {
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
      return (EXTRA_TEXT[name] ?? dataText)(item);
  }
}

type Loose = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : "");
const num = (v: unknown) => (typeof v === "number" ? v : 0);
const dataText = (item: unknown) => `  - ${JSON.stringify(item)}`;

/** Text of lists the analysis adds, by name; any other list is rendered as data. */
const EXTRA_TEXT: Record<string, (item: Loose) => string> = {
  failures: (f) => {
    const stack = Array.isArray(f.stack_top) ? (f.stack_top as string[]).slice(0, 3) : [];
    return `  ${str(f.role) || "failure"}: ${str(f.system)} ${str(f.level)} at ${formatRelative(num(f.rel_ms))}${num(f.count) > 1 ? ` x${num(f.count)}` : ""} ${quotedMessage(str(f.message), num(f.message_cut))}  [${str(f.id)}]${stack.length ? `\n    stack: ${stack.map((x) => JSON.stringify(x)).join("\n           ")}` : ""}`;
  },
  benign: (b) =>
    `  ${str(b.system)} ${str(b.level)}${num(b.count) > 1 ? ` x${num(b.count)}` : ""} ${quotedMessage(str(b.message), num(b.message_cut))}  [${str(b.id)}]: ${str(b.reason)}`,
};

const EXTRA_TITLES: Record<string, string> = {
  failures: "Failures (whole messages)",
  benign: "Looked alarming, judged benign",
};

/** Keys the text renders by name; any other field of the view or the root cause is rendered as data. */
const VIEW_KEYS = new Set(["note", "trace_id", "summary", "root_cause", "skew", "stats", "left_out", ...SECTIONS]);
const ROOT_KEYS = new Set([
  "confidence",
  "alternatives",
  "stack_more",
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

/** How a chain stands to what the user saw, when the analysis says. */
const ROLE_TEXT: Record<string, string> = {
  moved_past: "(earlier, the user moved past it) ",
  other: "(not seen by the user) ",
};

function chainText(ch: View["error_chains"][number], i: number): string {
  return [
    `  ${i + 1}. ${ROLE_TEXT[str(ch.role)] ?? ""}${plural(ch.error_count, "failure")} in ${ch.systems.join(", ")} from ${formatRelative(ch.start_ms)} to ${formatRelative(ch.end_ms)}${ch.propagation.length ? `, propagated ${ch.propagation.join(", ")}` : ""}; root [${ch.root_id}]; ids ${ch.errors.join(", ")}${ch.error_count > ch.errors.length ? ` (+${ch.error_count - ch.errors.length} more)` : ""}`,
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
  const evidence = str(h.evidence) ? `, ${str(h.evidence)}` : "";
  return `  ${formatRelative(h.at_ms)} ${h.from} -> ${h.to} after ${formatDuration(h.gap_ms)}${evidence}  [${h.from_id} -> ${h.to_id}]`;
}

function gapText(g: View["gaps"][number]): string {
  return `  ${formatRelative(g.at_ms)} silence of ${formatDuration(g.gap_ms)}${g.times_median ? ` (${g.times_median}x the median)` : ""}  [${g.after_id} -> ${g.before_id}]`;
}

export function headText(v: View): string {
  const r = v.root_cause;
  const confidence = r && typeof r.confidence === "string" ? ` (${r.confidence} confidence)` : "";
  const lines = [
    `Correlation report for trace ${v.trace_id}.`,
    v.note,
    "Summary:",
    `  ${v.summary}`,
    `Root cause${confidence}:`,
  ];
  if (!r) lines.push("  none: no errors or failure warnings in this trace");
  else {
    lines.push(
      `  ${r.system} ${r.level} at ${formatRelative(r.rel_ms)} ${quotedMessage(r.message, r.message_cut)}  [${r.id}]`,
    );
    r.stack_top.forEach((f, i) => lines.push(`    ${i === 0 ? "stack: " : "       "}${JSON.stringify(f)}`));
    if (num(r.stack_more)) lines.push(`           (${plural(num(r.stack_more), "more frame")})`);
    lines.push(...r.evidence.map((e) => `  - ${e}`));
    for (const a of Array.isArray(r.alternatives) ? (r.alternatives as Loose[]) : []) {
      lines.push(
        `  - considered [${str(a.id)}] ${str(a.system)} ${str(a.level)} ${quote(str(a.message), 160)}: ${str(a.why_not)}`,
      );
    }
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

/** The lists of the view that the text does not name (see EXTRA_TEXT), with a title each. */
function extraLists(v: View, which: (key: string) => boolean): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(v)) {
    if (VIEW_KEYS.has(key) || !which(key) || !Array.isArray(value) || !value.length) continue;
    lines.push(
      `${EXTRA_TITLES[key] ?? key} (${value.length}):`,
      ...value.map((item) => (EXTRA_TEXT[key] ?? dataText)(item)),
    );
  }
  return lines;
}

/** The text answer, rendered from the view alone. */
export function correlationText(v: View): string {
  const lines = [headText(v), ...extraLists(v, (key) => LEADING.includes(key))];
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
  lines.push(...extraLists(v, (key) => !LEADING.includes(key)));
  if (v.left_out) {
    const parts = Object.entries(v.left_out).map(([name, n]) => `${name.replace("_", " ")} (${n})`);
    lines.push(
      `Left out for the answer budget: ${parts.join(", ")}. Raise budget_tokens, or call get_trace to read the entries.`,
    );
  }
  return lines.join("\n");
}
