// correlate_trace in one call: clock correction, timeline, error chains, the likely root cause and a
// few plain sentences an agent can act on. Output is bounded whatever the trace size.
import type { Level, LogEntry, System, TraceSummary } from "../schema.js";
import { findChains, type ChainDetail, type ErrorChain, type Failure } from "./chains.js";
import { capText, formatDuration, formatRelative, plural, quote } from "./format.js";
import {
  CHAINS_MAX,
  CORRELATE_CONTEXT_BEFORE,
  CORRELATE_GAPS_MAX,
  CORRELATE_HOPS_MAX,
  CORRELATE_TIMELINE_MAX,
  EVIDENCE_MAX,
  RENDER_MESSAGE_CHARS,
  SKEW_NEGLIGIBLE_MS,
} from "./limits.js";
import { findRetryStorms, type RetryStorm } from "./retry.js";
import { isFailure } from "./signals.js";
import type { SystemSkew } from "./skew.js";
import { parseStack, topFrames } from "./stack.js";
import { buildTimeline, type Gap, type Hop, type Timeline } from "./timeline.js";
import { traceWarnings } from "./warnings.js";

export interface TimelineLine {
  id: string;
  /** Position in the full corrected timeline (the report shows a selection). */
  index: number;
  rel_ms: number;
  system: System;
  level: Level;
  /** Capped at RENDER_MESSAGE_CHARS with a "…[+N chars]" marker. Untrusted log content. */
  message: string;
  failure: boolean;
}

export interface RootCause {
  id: string;
  system: System;
  level: Level;
  message: string;
  /** Corrected time on the server clock, ms since epoch; rel_ms from the first entry. */
  timestamp: number;
  rel_ms: number;
  source?: string;
  /** Top in-app stack lines, as written. */
  stack_top: string[];
  evidence: string[];
}

export interface CorrelationStats {
  entries: number;
  failures: number;
  by_system: Record<string, number>;
  by_level: Record<string, number>;
  /** Corrected time of the first entry, ms since epoch. */
  start: number;
  duration_ms: number;
  median_gap_ms: number;
  chains_total: number;
  hops_total: number;
  gaps_total: number;
  /** Timeline entries in the report and in the trace. */
  timeline_shown: number;
  timeline_total: number;
}

export interface Correlation {
  trace_id: string;
  skew: SystemSkew[];
  timeline: TimelineLine[];
  hops: Hop[];
  gaps: Gap[];
  error_chains: ErrorChain[];
  root_cause: RootCause | null;
  retry_storms: RetryStorm[];
  warnings: string[];
  summary: string;
  stats: CorrelationStats;
}

export function correlateTrace(entries: readonly LogEntry[], summary?: TraceSummary): Correlation {
  const timeline = buildTimeline(entries);
  const found = findChains(timeline);
  const chains = found.chains;
  const top = chains[0];
  const storms = top ? findRetryStorms(timeline.entries, top.members[top.members.length - 1]!.pos) : [];
  const root = top ? rootCause(top, storms, found.total, timeline) : null;
  const failureIds = new Set(chains.flatMap((c) => c.members.map((f) => f.item.entry.id)));
  const warnings = traceWarnings(entries, summary, timeline.skew.systems);
  if (found.analysed < found.failures) {
    warnings.push(
      `only the earliest ${found.analysed.toLocaleString("en-US")} of ${found.failures.toLocaleString("en-US")} failures were linked into chains`,
    );
  }
  const shown = selectTimeline(timeline, chains);
  const stats = statistics(timeline, found.failures, found.total, shown.length);
  const traceId = summary?.trace_id ?? entries[0]?.trace_id ?? "";
  return {
    trace_id: traceId,
    skew: timeline.skew.systems,
    timeline: shown.map((pos) => line(timeline, pos, failureIds)),
    hops: selectHops(timeline.hops, failureIds),
    gaps: [...timeline.gaps]
      .sort((a, b) => b.gap_ms - a.gap_ms)
      .slice(0, CORRELATE_GAPS_MAX)
      .sort((a, b) => a.at_ms - b.at_ms),
    error_chains: chains.map((c) => c.chain),
    root_cause: root,
    retry_storms: storms,
    warnings,
    summary: summarise(traceId, stats, top, root, storms, timeline.skew.systems, warnings),
    stats,
  };
}

function rootCause(top: ChainDetail, storms: RetryStorm[], chainCount: number, timeline: Timeline): RootCause {
  const { root, chain, reportedBy } = top;
  const e = root.item.entry;
  const evidence: string[] = [];
  const [firstReport] = reportedBy;
  if (firstReport) {
    evidence.push(`origin of the propagation ${chain.propagation.join(", ")}: ${firstReport.evidence}`);
    for (const r of reportedBy.slice(0, 2)) evidence.push(`reported by ${describe(r.failure)}`);
  } else {
    evidence.push(
      `earliest failure of the most significant chain (${plural(chain.error_count, "failure")} across ${chain.systems.join(", ")} from ${formatRelative(chain.start_ms)} to ${formatRelative(chain.end_ms)})`,
    );
    if (chain.propagation.length) evidence.push(`the chain then propagated: ${chain.evidence[0]}`);
  }
  const stackTop = topFrames(parseStack(e.stack), 3).map((f) => f.raw);
  if (stackTop[0]) evidence.push(`top stack frame: ${quote(stackTop[0], 200)}`);
  if (e.source) evidence.push(`source: ${quote(e.source, 100)}`);
  const before = precedingEntry(timeline, root);
  if (before) evidence.push(`preceded by ${before}`);
  const inverted = top.members.find((m) => m.item.t > root.item.t && m.item.entry.timestamp < e.timestamp);
  if (inverted) {
    const fix = timeline.skew.systems.find((s) => s.system === inverted.item.entry.system && s.method !== "reference");
    evidence.push(
      `raw timestamps put ${describe(inverted)} ${formatDuration(e.timestamp - inverted.item.entry.timestamp)} before it; clock correction restores the order${fix ? `: ${fix.description}` : ""}`,
    );
  }
  for (const s of storms.slice(0, 2)) evidence.push(stormSentence(s));
  if (chainCount > 1)
    evidence.push(`${plural(chainCount - 1, "other failure chain")} in this trace (see error_chains)`);
  const result: RootCause = {
    id: e.id,
    system: e.system,
    level: e.level,
    message: capText(e.message, RENDER_MESSAGE_CHARS),
    timestamp: root.item.t,
    rel_ms: root.item.rel_ms,
    stack_top: stackTop,
    evidence: evidence.slice(0, EVIDENCE_MAX),
  };
  if (e.source) result.source = e.source;
  return result;
}

function describe(f: Failure): string {
  const e = f.item.entry;
  return `${e.system} ${e.level} at ${formatRelative(f.item.rel_ms)} ${quote(e.message, 100)} [${e.id}]`;
}

/** The last entry of the same system shortly before the root cause: what it was doing when it failed. */
function precedingEntry(timeline: Timeline, root: Failure): string | undefined {
  for (let k = root.pos - 1; k >= 0 && k >= root.pos - 50; k--) {
    const item = timeline.entries[k]!;
    if (item.entry.system !== root.item.entry.system) continue;
    const e = item.entry;
    return `${e.system} ${e.level} at ${formatRelative(item.rel_ms)} ${quote(e.message, 100)} [${e.id}]`;
  }
  return undefined;
}

function stormSentence(s: RetryStorm): string {
  const what = s.kind === "retry" ? "retry storm" : "repeated failure";
  return `${what}: ${s.system} ${s.level} ${quote(s.message, 100)} repeated ${s.count} times from ${formatRelative(s.first_ms)} to ${formatRelative(s.last_ms)} (${formatDuration(s.last_ms - s.first_ms)}) before [${s.before_id}]`;
}

/** Root cause context first, then chain members, then the ends of the trace; in time order. */
function selectTimeline(timeline: Timeline, chains: ChainDetail[]): number[] {
  const n = timeline.entries.length;
  if (n <= CORRELATE_TIMELINE_MAX) return Array.from({ length: n }, (_, i) => i);
  const picked = new Set<number>();
  const add = (pos: number) => {
    if (pos >= 0 && pos < n && picked.size < CORRELATE_TIMELINE_MAX) picked.add(pos);
  };
  const [top] = chains;
  if (top) for (let k = top.root.pos - CORRELATE_CONTEXT_BEFORE; k <= top.root.pos; k++) add(k);
  add(0);
  add(n - 1);
  for (const f of top?.members.slice(0, 25) ?? []) add(f.pos);
  for (const c of chains.slice(1, CHAINS_MAX)) add(c.root.pos);
  for (const c of chains) for (const f of c.members.slice(0, 5)) add(f.pos);
  return [...picked].sort((a, b) => a - b);
}

function line(timeline: Timeline, pos: number, failures: Set<string>): TimelineLine {
  const { entry, rel_ms } = timeline.entries[pos]!;
  return {
    id: entry.id,
    index: pos,
    rel_ms,
    system: entry.system,
    level: entry.level,
    message: capText(entry.message, RENDER_MESSAGE_CHARS),
    failure: failures.has(entry.id) || isFailure(entry),
  };
}

/** Hops that touch a failure first (where the trouble crossed systems), then the earliest others. */
function selectHops(hops: Hop[], failures: Set<string>): Hop[] {
  const touching = hops.filter((h) => failures.has(h.from_id) || failures.has(h.to_id)).slice(0, CORRELATE_HOPS_MAX);
  const chosen = new Set(touching);
  for (const h of hops) {
    if (chosen.size >= CORRELATE_HOPS_MAX) break;
    chosen.add(h);
  }
  return [...chosen].sort((a, b) => a.at_ms - b.at_ms);
}

function statistics(timeline: Timeline, failures: number, chains: number, shown: number): CorrelationStats {
  const by_system: Record<string, number> = {};
  const by_level: Record<string, number> = {};
  for (const { entry } of timeline.entries) {
    by_system[entry.system] = (by_system[entry.system] ?? 0) + 1;
    by_level[entry.level] = (by_level[entry.level] ?? 0) + 1;
  }
  return {
    entries: timeline.entries.length,
    failures,
    by_system,
    by_level,
    start: timeline.start,
    duration_ms: timeline.duration_ms,
    median_gap_ms: timeline.median_gap_ms,
    chains_total: chains,
    hops_total: timeline.hops.length,
    gaps_total: timeline.gaps.length,
    timeline_shown: shown,
    timeline_total: timeline.entries.length,
  };
}

function summarise(
  traceId: string,
  stats: CorrelationStats,
  top: ChainDetail | undefined,
  root: RootCause | null,
  storms: RetryStorm[],
  skew: SystemSkew[],
  warnings: string[],
): string {
  const systems = Object.keys(stats.by_system).join(", ") || "no system";
  const sentences = [
    `Trace ${traceId}: ${plural(stats.entries, "entry", "entries")} from ${systems} over ${formatDuration(stats.duration_ms)}.`,
  ];
  if (!top || !root) {
    sentences.push(`No errors or failure warnings: the trace looks healthy.`);
  } else {
    const errors = stats.by_level.error ?? 0;
    sentences.push(
      `${plural(stats.failures, "failure")} (${plural(errors, "error")}) in ${plural(stats.chains_total, "chain")}; the main chain spans ${top.chain.systems.join(", ")}${top.chain.propagation.length ? ` and propagated ${top.chain.propagation.join(", ")}` : ""}.`,
    );
    const report = top.reportedBy[0];
    const reported = report
      ? `, reported by the ${report.failure.item.entry.system} [${report.failure.item.entry.id}]`
      : "";
    sentences.push(
      `Likely root cause: ${root.system} ${root.level} at ${formatRelative(root.rel_ms)} ${quote(root.message, 160)} [${root.id}]${reported}.`,
    );
    if (root.stack_top[0]) sentences.push(`Start at ${quote(root.stack_top[0], 160)}.`);
    const [storm] = storms;
    if (storm) sentences.push(`${capitalise(stormSentence(storm))}.`);
  }
  const skewed = skew.filter((s) => s.method !== "reference" && Math.abs(s.skew_ms) >= SKEW_NEGLIGIBLE_MS);
  if (skewed.length)
    sentences.push(`Times are corrected for clock skew: ${skewed.map((s) => s.description).join("; ")}.`);
  if (warnings.length)
    sentences.push(`Caveats: ${warnings.slice(0, 3).join("; ")}${warnings.length > 3 ? "; …" : ""}.`);
  return sentences.join(" ");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
