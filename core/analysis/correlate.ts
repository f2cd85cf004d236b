// correlate_trace in one call: clock correction, timeline, error chains, the root cause walked back from
// what the user saw with its evidence and a confidence word, what looked alarming and was judged benign,
// and a few plain sentences an agent can act on. Output is bounded whatever the trace size.
import type { Level, LogEntry, System, TraceSummary } from "../schema.js";
import { benignJudgements, type BenignJudgement } from "./benign.js";
import { findAnchor, walkBack, type Alternative, type CauseStep, type Confidence, type Walk } from "./cause.js";
import { buildGraph, groupChains, type ChainDetail, type ErrorChain, type Graph } from "./chains.js";
import { capText, formatDuration, formatRelative, plural, quote } from "./format.js";
import {
  CHAINS_MAX,
  CORRELATE_CONTEXT_BEFORE,
  CORRELATE_GAPS_MAX,
  CORRELATE_HOPS_MAX,
  CORRELATE_TIMELINE_MAX,
  RENDER_MESSAGE_CHARS,
  SKEW_NEGLIGIBLE_MS,
} from "./limits.js";
import { markRecoveries } from "./recovery.js";
import { failureDetails, rootCause, stormSentence, type FailureDetail, type RootCause } from "./root-cause.js";
import { findRetryStorms, type RetryStorm } from "./retry.js";
import { isFailure } from "./signals.js";
import type { SystemSkew } from "./skew.js";
import { buildTimeline, type Gap, type Hop, type Timeline } from "./timeline.js";
import { traceWarnings } from "./warnings.js";

export type { Alternative, BenignJudgement, CauseStep, Confidence, FailureDetail, RootCause };

export interface TimelineLine {
  id: string;
  /** Position in the full corrected timeline (the report shows a selection). */
  index: number;
  rel_ms: number;
  system: System;
  level: Level;
  /** Capped at RENDER_MESSAGE_CHARS with a "…[+N chars]" marker (routine lines); failures are whole in `failures`. */
  message: string;
  failure: boolean;
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
  benign_total: number;
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
  /** Distinct failures with whole messages, root cause first, at most FAILURES_DETAIL_MAX. */
  failures: FailureDetail[];
  /** What looked alarming and was judged harmless, with the reason (at most BENIGN_MAX groups). */
  benign: BenignJudgement[];
  retry_storms: RetryStorm[];
  warnings: string[];
  summary: string;
  stats: CorrelationStats;
}

/** `readWhole` false: the entries are a bounded part of the trace, chosen by the store (see its coverage note). */
export function correlateTrace(entries: readonly LogEntry[], summary?: TraceSummary, readWhole = true): Correlation {
  const timeline = buildTimeline(entries);
  const graph = buildGraph(timeline);
  markRecoveries(graph.signals, timeline);
  const anchor = findAnchor(graph);
  const { chains, total } = groupChains(graph, anchor?.index, (a) => walkBack(graph, a).root);
  const walk = anchor ? walkBack(graph, anchor.index) : undefined;
  const anchorPos = walk ? graph.signals[walk.anchor]!.pos : -1;
  const storms = walk ? findRetryStorms(timeline.entries, anchorPos) : [];
  const root = walk ? rootCause(graph, walk, anchor!.userVisible, chains, storms, total, timeline) : null;

  const inChains = new Set<number>();
  for (const c of chains) for (const i of c.members) inChains.add(graph.signals[i]!.pos);
  // Chains beyond CHAINS_MAX still hold failures: never call those benign.
  for (const s of graph.signals) if (s.failure && s.recoveredBy === undefined) inChains.add(s.pos);
  const benign = benignJudgements(timeline, graph.signals, inChains);
  const failureIds = new Set(chains.flatMap((c) => c.chain.errors));

  const warnings = traceWarnings(entries, summary, timeline.skew.systems, readWhole);
  if (graph.analysed < graph.failures) {
    warnings.push(
      `only the earliest ${graph.analysed.toLocaleString("en-US")} of ${graph.failures.toLocaleString("en-US")} failures were linked into chains`,
    );
  }
  const shown = selectTimeline(timeline, graph, chains, walk);
  const stats = statistics(timeline, graph.failures, total, shown.length, benign.total);
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
    failures: failureDetails(graph, walk, chains),
    benign: benign.judgements,
    retry_storms: storms,
    warnings,
    summary: summarise(traceId, stats, chains[0], root, storms, timeline.skew.systems, warnings, benign.judgements),
    stats,
  };
}

/** Root cause context first, then the walk, chain members, then the ends of the trace; in time order. */
function selectTimeline(timeline: Timeline, graph: Graph, chains: ChainDetail[], walk: Walk | undefined): number[] {
  const n = timeline.entries.length;
  if (n <= CORRELATE_TIMELINE_MAX) return Array.from({ length: n }, (_, i) => i);
  const picked = new Set<number>();
  const add = (pos: number) => {
    if (pos >= 0 && pos < n && picked.size < CORRELATE_TIMELINE_MAX) picked.add(pos);
  };
  const pos = (i: number) => graph.signals[i]!.pos;
  if (walk) {
    const rootPos = pos(walk.root);
    for (let k = rootPos - CORRELATE_CONTEXT_BEFORE; k <= rootPos; k++) add(k);
    add(pos(walk.anchor));
    for (const l of walk.steps.slice(0, 25)) add(pos(l.effect));
  }
  add(0);
  add(n - 1);
  // The main chain, and the largest other one (often the chain the user moved past).
  for (const c of chains.slice(0, 2)) for (const i of c.members.slice(0, 25)) add(pos(i));
  for (const c of chains.slice(1, CHAINS_MAX)) add(pos(c.root));
  for (const c of chains) for (const i of c.members.slice(0, 5)) add(pos(i));
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

function statistics(
  timeline: Timeline,
  failures: number,
  chains: number,
  shown: number,
  benign: number,
): CorrelationStats {
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
    benign_total: benign,
    timeline_shown: shown,
    timeline_total: timeline.entries.length,
  };
}

function summarise(
  traceId: string,
  stats: CorrelationStats,
  main: ChainDetail | undefined,
  root: RootCause | null,
  storms: RetryStorm[],
  skew: SystemSkew[],
  warnings: string[],
  benign: BenignJudgement[],
): string {
  const systems = Object.keys(stats.by_system).join(", ") || "no system";
  const sentences = [
    `Trace ${traceId}: ${plural(stats.entries, "entry", "entries")} from ${systems} over ${formatDuration(stats.duration_ms)}.`,
  ];
  if (!root) {
    sentences.push(
      stats.failures
        ? `No failure the user saw: ${plural(stats.failures, "failure")} in the trace, each recovered or short of an error that reached the user.`
        : `No errors or failure warnings: the trace looks healthy.`,
    );
    if (benign.length) {
      sentences.push(
        `Looked alarming, judged benign: ${benign
          .slice(0, 3)
          .map((b) => `${quote(b.message, 80)} [${b.id}]${b.count > 1 ? ` x${b.count}` : ""} (${b.reason})`)
          .join("; ")}${benign.length > 3 ? "; …" : ""}.`,
      );
    }
  } else {
    const errors = stats.by_level.error ?? 0;
    const chain = main?.chain;
    sentences.push(
      `${plural(stats.failures, "failure")} (${plural(errors, "error")}) in ${plural(stats.chains_total, "chain")}${chain ? `; the chain the user saw: ${chain.propagation.length ? chain.propagation.join(", ") : chain.systems.join(", ")}` : ""}.`,
    );
    const saw =
      root.anchor_id !== root.id
        ? `, which led to [${root.anchor_id}] the ${root.anchor_user_visible ? "user saw" : "last server error"}`
        : "";
    sentences.push(
      `Likely root cause (${root.confidence} confidence): ${root.system} ${root.level} at ${formatRelative(root.rel_ms)} ${quote(root.message, 80)} [${root.id}]${saw}.`,
    );
    if (root.app_frame) sentences.push(`Start at ${quote(root.app_frame, 160)}.`);
    const [storm] = storms;
    if (storm) sentences.push(`${capitalise(stormSentence(storm))}.`);
  }
  const skewed = skew.filter((s) => s.method !== "reference" && Math.abs(s.skew_ms) >= SKEW_NEGLIGIBLE_MS);
  // Short: each clock's full description (basis, uncertainty) is in skew.
  if (skewed.length)
    sentences.push(
      `Times are corrected for clock skew: ${skewed.map((s) => `${s.system} ${formatDuration(Math.abs(s.skew_ms))} ${s.skew_ms > 0 ? "ahead" : "behind"}`).join(", ")}.`,
    );
  if (warnings.length)
    sentences.push(`Caveats: ${warnings.slice(0, 3).join("; ")}${warnings.length > 3 ? "; …" : ""}.`);
  return sentences.join(" ");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
