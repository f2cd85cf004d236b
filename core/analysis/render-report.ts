// Text for correlate_trace and list_errors: the analysis first (summary, root cause, chains), the
// evidence lines after, all within the token budget, with what was left out named.
import { budgetChars, estimateTokens, packBlocks, resolveBudget, type Block } from "./budget.js";
import type { Correlation } from "./correlate.js";
import type { ErrorGroup } from "./fingerprint.js";
import { formatDuration, formatRelative, plural } from "./format.js";
import {
  describeClocks,
  renderMessage,
  renderPage,
  UNTRUSTED_NOTE,
  type RenderedPage,
  type RenderOptions,
} from "./render.js";

/**
 * The correlate_trace report. Sections in order of value: summary, root cause, failures, benign judgements,
 * chains, retry storms, clocks, warnings, timeline, hops, gaps. The report has no pages (it is already a selection): what does
 * not fit is listed at the end with the tool to call for it.
 */
export function renderCorrelation(c: Correlation, options: Pick<RenderOptions, "budgetTokens"> = {}): RenderedPage {
  const sections: Array<{ name: string; blocks: Block[] }> = [];
  const section = (name: string, title: string, lines: string[]) => {
    if (lines.length)
      sections.push({ name, blocks: [{ text: title, items: 0 }, ...lines.map((text) => ({ text, items: 1 }))] });
  };
  section("summary", "Summary:", [`  ${c.summary}`]);
  const r = c.root_cause;
  section(
    "root cause",
    r ? `Root cause (${r.confidence} confidence):` : "Root cause:",
    r
      ? [
          // The whole message as stored: the part that explains the bug is often far into it.
          `  ${r.system} ${r.level} at ${formatRelative(r.rel_ms)} ${renderMessage(r.message, r.message.length)}  [${r.id}]`,
          ...(r.stack_top.length
            ? [
                `    stack: ${r.stack_top.join("\n           ")}${r.stack_more ? `\n           (${r.stack_more} more frames)` : ""}`,
              ]
            : []),
          ...r.evidence.map((e) => `  - ${e}`),
          ...r.alternatives.map(
            (a) => `  - considered [${a.id}] ${a.system} ${a.level} ${renderMessage(a.message, 160)}: ${a.why_not}`,
          ),
        ]
      : ["  none: no failure the user saw in this trace"],
  );
  section(
    "failures",
    "Failures (whole messages):",
    c.failures
      .filter((f) => f.id !== r?.id)
      .map(
        (f) =>
          `  ${f.role}: ${f.system} ${f.level} at ${formatRelative(f.rel_ms)}${f.count > 1 ? ` x${f.count}` : ""} ${renderMessage(f.message, f.message.length)}  [${f.id}]${f.stack_top[0] ? `\n    stack: ${f.stack_top.slice(0, 3).join("\n           ")}` : ""}`,
      ),
  );
  section(
    "benign",
    `Looked alarming, judged benign (${c.benign.length} of ${c.stats.benign_total}):`,
    c.benign.map(
      (b) =>
        `  ${b.system} ${b.level}${b.count > 1 ? ` x${b.count}` : ""} ${renderMessage(b.message, 160)}  [${b.id}]: ${b.reason}`,
    ),
  );
  section(
    "chains",
    `Error chains (${c.error_chains.length} of ${c.stats.chains_total}):`,
    c.error_chains.map((ch, i) =>
      [
        `  ${i + 1}. ${ch.role === "main" ? "" : ch.role === "moved_past" ? "(earlier, the user moved past it) " : "(not seen by the user) "}${plural(ch.error_count, "failure")} in ${ch.systems.join(", ")} from ${formatRelative(ch.start_ms)} to ${formatRelative(ch.end_ms)}${ch.propagation.length ? `, propagated ${ch.propagation.join(", ")}` : ""}; root [${ch.root_id}]; ids ${ch.errors.join(", ")}${ch.error_count > ch.errors.length ? ` (+${ch.error_count - ch.errors.length} more)` : ""}`,
        ...ch.evidence.map((e) => `     - ${e}`),
      ].join("\n"),
    ),
  );
  section(
    "retry storms",
    "Retry storms and repeated failures before the last failure:",
    c.retry_storms.map(
      (s) =>
        `  ${s.kind === "retry" ? "retry " : "repeat"} ${s.system} ${s.level} x${s.count} from ${formatRelative(s.first_ms)} to ${formatRelative(s.last_ms)} ${renderMessage(s.message, 200)}  [${s.first_id} … ${s.last_id}]`,
    ),
  );
  section("clocks", "Clocks:", c.skew.length ? [`  ${describeClocks(c.skew)}`] : []);
  section(
    "warnings",
    "Warnings:",
    c.warnings.map((w) => `  - ${w}`),
  );
  const timeline: string[] = [];
  let expected = 0;
  for (const l of c.timeline) {
    if (l.index > expected) timeline.push(`            (${plural(l.index - expected, "entry", "entries")} not shown)`);
    timeline.push(
      `  ${l.failure ? "!" : " "}${formatRelative(l.rel_ms).padStart(10)} ${l.system.padEnd(7)} ${l.level.padEnd(5)} ${renderMessage(l.message)}  [${l.id}]`,
    );
    expected = l.index + 1;
  }
  if (c.stats.timeline_total > expected) {
    timeline.push(`            (${plural(c.stats.timeline_total - expected, "entry", "entries")} not shown)`);
  }
  section(
    "timeline",
    `Timeline (${c.stats.timeline_shown} of ${plural(c.stats.timeline_total, "entry", "entries")}; ! marks failures; get_trace shows all):`,
    timeline,
  );
  section(
    "hops",
    `Cross-system hops (${c.hops.length} of ${c.stats.hops_total}):`,
    c.hops.map(
      (h) =>
        `  ${formatRelative(h.at_ms)} ${h.from} -> ${h.to} after ${formatDuration(h.gap_ms)}, ${h.evidence}  [${h.from_id} -> ${h.to_id}]`,
    ),
  );
  section(
    "gaps",
    `Notable gaps (${c.gaps.length} of ${c.stats.gaps_total}; median spacing ${formatDuration(c.stats.median_gap_ms)}):`,
    c.gaps.map(
      (g) =>
        `  ${formatRelative(g.at_ms)} silence of ${formatDuration(g.gap_ms)}${g.times_median ? ` (${g.times_median}x the median)` : ""}  [${g.after_id} -> ${g.before_id}]`,
    ),
  );

  const budget = resolveBudget(options.budgetTokens);
  const head = [`Correlation report for trace ${c.trace_id}.`, UNTRUSTED_NOTE].join("\n");
  const all = sections.flatMap((s) => s.blocks);
  const packed = packBlocks(all, budgetChars(budget) - head.length - 300);
  // A section title with none of its lines under it says nothing: drop it.
  if (packed.cut && all[packed.lines.length - 1]?.items === 0) packed.lines.pop();
  const lines = [head, ...packed.lines];
  if (packed.cut) {
    let seen = 0;
    const left: string[] = [];
    for (const s of sections) {
      const kept = Math.min(s.blocks.length, Math.max(0, packed.lines.length - seen));
      seen += s.blocks.length;
      if (kept >= s.blocks.length) continue;
      const count = s.blocks.length - 1;
      const shown = Math.max(0, kept - 1);
      left.push(
        shown === 0 ? `${s.name} (${plural(count, "line")})` : `${s.name} (${count - shown} of ${count} lines)`,
      );
    }
    lines.push(
      `Left out for the ${budget.toLocaleString("en-US")}-token budget: ${left.join(", ")}. Raise the budget, or call get_trace for the timeline.`,
    );
  }
  const text = lines.join("\n");
  return {
    text,
    tokens: estimateTokens(text),
    offset: 0,
    shown: packed.lines.length,
    total: all.length,
    next_offset: null,
  };
}

/** The list_errors page: one block per group, most frequent first, paged by group. */
export function renderErrorGroups(
  groups: readonly ErrorGroup[],
  options: RenderOptions & { scope?: string } = {},
): RenderedPage {
  const total = groups.reduce((n, g) => n + g.count, 0);
  const header = [
    `${plural(groups.length, "error group")} (${plural(total, "error")})${options.scope ? ` ${options.scope}` : ""}, most frequent first. Times are the server clock.`,
  ];
  function* blocks(start: number): Generator<Block> {
    for (let k = start; k < groups.length; k++) yield { text: groupBlock(groups[k]!), items: 1 };
  }
  return renderPage(header, blocks, groups.length, ["group", "groups"], options);
}

function groupBlock(g: ErrorGroup): string {
  const lines = [
    `[${g.fingerprint}] x${g.count} ${g.levels.join("/")} in ${g.systems.join(", ")}${g.error_type ? `, ${g.error_type}` : ""}; ${plural(g.trace_count, "trace")}; first ${new Date(g.first_seen).toISOString()}, last ${new Date(g.last_seen).toISOString()}`,
    `    ${renderMessage(g.sample_message, 300)}  [sample ${g.sample_id}]`,
    ...g.sample_stack_top.map((f, i) => `    ${i === 0 ? "at: " : "    "}${renderMessage(f, 200)}`),
    `    traces: ${g.trace_ids.join(", ")}${g.trace_count > g.trace_ids.length ? ` (+${g.trace_count - g.trace_ids.length} more)` : ""}`,
  ];
  return lines.join("\n");
}
