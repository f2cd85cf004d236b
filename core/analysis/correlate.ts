// correlate_trace in one call: clock correction, timeline, error chains, the root cause walked back from
// what the user saw with its evidence and a confidence word, what looked alarming and was judged benign,
// and a few plain sentences an agent can act on. Output is bounded whatever the trace size.
import type { Level, LogEntry, System, TraceSummary } from "../schema.js";
import { benignJudgements, type BenignJudgement } from "./benign.js";
import {
  alternatives,
  findAnchor,
  stepOf,
  walkBack,
  type Alternative,
  type CauseStep,
  type Confidence,
  type Walk,
} from "./cause.js";
import { buildGraph, groupChains, type ChainDetail, type ErrorChain, type Graph } from "./chains.js";
import { capText, formatDuration, formatRelative, plural, quote } from "./format.js";
import {
  CAUSE_STACK_LINES,
  CHAINS_MAX,
  CORRELATE_CONTEXT_BEFORE,
  CORRELATE_GAPS_MAX,
  CORRELATE_HOPS_MAX,
  CORRELATE_TIMELINE_MAX,
  EVIDENCE_MAX,
  FAILURES_DETAIL_MAX,
  PATH_STEPS_MAX,
  RENDER_MESSAGE_CHARS,
  SKEW_NEGLIGIBLE_MS,
} from "./limits.js";
import { markRecoveries } from "./recovery.js";
import { findRetryStorms, type RetryStorm } from "./retry.js";
import { isFailure } from "./signals.js";
import type { SystemSkew } from "./skew.js";
import { parseStack, topFrames } from "./stack.js";
import { buildTimeline, type Gap, type Hop, type Timeline } from "./timeline.js";
import { traceWarnings } from "./warnings.js";

export type { Alternative, BenignJudgement, CauseStep, Confidence };

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

export interface RootCause {
  id: string;
  system: System;
  level: Level;
  /** The whole message as stored (entries are capped at ingestion, marked …[truncated]). Untrusted log content. */
  message: string;
  /** Corrected time on the server clock, ms since epoch; rel_ms from the first entry. */
  timestamp: number;
  rel_ms: number;
  source?: string;
  /** The top of the stack as stored, at most CAUSE_STACK_LINES frames; stack_more counts the rest. */
  stack_top: string[];
  stack_more?: number;
  /** The first frame in the app's own code, where to start reading. */
  app_frame?: string;
  /** How well the evidence supports this: high (shared ids or text at every step), medium, low. */
  confidence: Confidence;
  confidence_reason: string;
  /** The failure the user saw, which the walk started from (the root itself when nothing earlier explains it). */
  anchor_id: string;
  /** False when no browser failure was logged and the walk started from the last server error. */
  anchor_user_visible: boolean;
  /** From the root cause to what the user saw, one step per causal link. */
  path: CauseStep[];
  evidence: string[];
  /** Candidates considered and not chosen, with why. */
  alternatives: Alternative[];
}

/** A distinct failure with its whole message: the root cause, what the user saw, the steps between, other chains. */
export interface FailureDetail {
  id: string;
  system: System;
  level: Level;
  rel_ms: number;
  source?: string;
  /** Whole, as stored. Untrusted log content. */
  message: string;
  stack_top: string[];
  stack_more?: number;
  /** Occurrences of this failure (same system and normalised message) in the trace. */
  count: number;
  role: "root cause" | "user saw" | "on the path" | "chain root" | "other";
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

export function correlateTrace(entries: readonly LogEntry[], summary?: TraceSummary): Correlation {
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

  const warnings = traceWarnings(entries, summary, timeline.skew.systems);
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

function stackOf(stack: string | undefined): { top: string[]; more: number; app?: string } {
  const frames = parseStack(stack);
  const app = topFrames(frames, 1)[0];
  const result: { top: string[]; more: number; app?: string } = {
    top: frames.slice(0, CAUSE_STACK_LINES).map((f) => f.raw),
    more: Math.max(0, frames.length - CAUSE_STACK_LINES),
  };
  if (app?.inApp) result.app = app.raw;
  return result;
}

function rootCause(
  graph: Graph,
  walk: Walk,
  userVisible: boolean,
  chains: ChainDetail[],
  storms: RetryStorm[],
  chainCount: number,
  timeline: Timeline,
): RootCause {
  const { signals } = graph;
  const rootSignal = signals[walk.root]!;
  const anchorSignal = signals[walk.anchor]!;
  const e = rootSignal.item.entry;
  const evidence: string[] = [];
  const a = anchorSignal.item.entry;
  const saw = userVisible
    ? "the user saw"
    : "no browser failure was logged; the walk starts from the last server error";
  evidence.push(`${saw}: ${describe(anchorSignal.item.rel_ms, a)}`);
  const path = foldPath(signals, walk.steps);
  for (const step of path.slice(0, EVIDENCE_MAX)) {
    evidence.push(`[${step.from_id}] ${step.from} -> [${step.to_id}] ${step.to} (${step.strength}): ${step.evidence}`);
  }
  if (path.length > EVIDENCE_MAX) evidence.push(`${path.length - EVIDENCE_MAX} more steps in path`);
  if (walk.root === walk.anchor) {
    evidence.push(
      walk.reached.size > 1
        ? "nothing earlier that the evidence ties to it is an error or a failed attempt: the failure the user saw is the root cause"
        : "no earlier entry shares an id, URL, text or retried operation with it: it is its own root cause",
    );
  }
  const stack = stackOf(e.stack);
  if (stack.app) evidence.push(`first app frame: ${quote(stack.app, 200)}`);
  if (e.source) evidence.push(`source: ${quote(e.source, 100)}`);
  const before = precedingEntry(timeline, rootSignal.pos);
  if (before) evidence.push(`preceded by ${before}`);
  const inverted = walk.steps.find((l) => signals[l.effect]!.item.t < signals[l.cause]!.item.t);
  if (inverted) {
    evidence.push(
      `[${signals[inverted.effect]!.item.entry.id}] sorts before its cause [${signals[inverted.cause]!.item.entry.id}] after clock correction, within the clocks' uncertainty; the evidence decides the direction`,
    );
  }
  for (const s of timeline.skew.systems) {
    if (s.pairs && s.causal_shift_ms) evidence.push(`clock order checked against request ids: ${s.description}`);
  }
  for (const s of storms.slice(0, 2)) evidence.push(stormSentence(s));
  if (chainCount > 1)
    evidence.push(`${plural(chainCount - 1, "other failure chain")} in this trace (see error_chains)`);
  const result: RootCause = {
    id: e.id,
    system: e.system,
    level: e.level,
    message: e.message,
    timestamp: rootSignal.item.t,
    rel_ms: rootSignal.item.rel_ms,
    stack_top: stack.top,
    ...(stack.more ? { stack_more: stack.more } : {}),
    confidence: walk.confidence,
    confidence_reason:
      walk.confidenceReason || (walk.root === walk.anchor ? "the failure the user saw itself, nothing to infer" : ""),
    anchor_id: a.id,
    anchor_user_visible: userVisible,
    path,
    evidence: evidence.slice(0, EVIDENCE_MAX + 4),
    alternatives: alternatives(graph, walk, chains),
  };
  if (stack.app) result.app_frame = stack.app;
  if (e.source) result.source = e.source;
  return result;
}

/** The walk's links as steps, a run of repeats of one failure folded into one step, at most PATH_STEPS_MAX. */
function foldPath(signals: Graph["signals"], steps: Walk["steps"]): CauseStep[] {
  const out: CauseStep[] = [];
  for (let k = 0; k < steps.length; k++) {
    const link = steps[k]!;
    if (!link.repeat) {
      out.push(stepOf(signals, link));
      continue;
    }
    let end = k;
    while (end + 1 < steps.length && steps[end + 1]!.repeat) end++;
    const step = stepOf(signals, link);
    step.to_id = signals[steps[end]!.effect]!.item.entry.id;
    step.evidence = `the same failure repeated: ${plural(end - k + 2, "occurrence")} from [${step.from_id}] to [${step.to_id}]`;
    out.push(step);
    k = end;
  }
  if (out.length <= PATH_STEPS_MAX) return out;
  const half = PATH_STEPS_MAX >> 1;
  const skipped = out.length - 2 * half;
  return [
    ...out.slice(0, half),
    { ...out[half]!, evidence: `${plural(skipped, "step")} left out here`, strength: "medium" },
    ...out.slice(out.length - half + 1),
  ];
}

function describe(rel: number, e: LogEntry): string {
  return `${e.system} ${e.level} at ${formatRelative(rel)} ${quote(e.message, 100)} [${e.id}]`;
}

/** The last entry of the same system shortly before the root cause: what it was doing when it failed. */
function precedingEntry(timeline: Timeline, pos: number): string | undefined {
  const root = timeline.entries[pos]!;
  for (let k = pos - 1; k >= 0 && k >= pos - 50; k--) {
    const item = timeline.entries[k]!;
    if (item.entry.system !== root.entry.system) continue;
    return describe(item.rel_ms, item.entry);
  }
  return undefined;
}

function stormSentence(s: RetryStorm): string {
  const what = s.kind === "retry" ? "retry storm" : "repeated failure";
  return `${what}: ${s.system} ${s.level} ${quote(s.message, 100)} repeated ${s.count} times from ${formatRelative(s.first_ms)} to ${formatRelative(s.last_ms)} (${formatDuration(s.last_ms - s.first_ms)}) before [${s.before_id}]`;
}

/** Root cause, what the user saw and the steps between, other chains' roots, then other failures. */
function failureDetails(graph: Graph, walk: Walk | undefined, chains: ChainDetail[]): FailureDetail[] {
  const { signals } = graph;
  const counts = new Map<string, number>();
  for (const s of signals) if (s.failure || s.pos >= 0) counts.set(s.key, (counts.get(s.key) ?? 0) + 1);
  const out: FailureDetail[] = [];
  const keys = new Set<string>();
  const add = (i: number, role: FailureDetail["role"]) => {
    const s = signals[i]!;
    if (out.length >= FAILURES_DETAIL_MAX || keys.has(s.key)) return;
    keys.add(s.key);
    const e = s.item.entry;
    const stack = stackOf(e.stack);
    const d: FailureDetail = {
      id: e.id,
      system: e.system,
      level: e.level,
      rel_ms: s.item.rel_ms,
      message: e.message,
      stack_top: stack.top,
      ...(stack.more ? { stack_more: stack.more } : {}),
      count: counts.get(s.key) ?? 1,
      role,
    };
    if (e.source) d.source = e.source;
    out.push(d);
  };
  if (walk) {
    add(walk.root, "root cause");
    add(walk.anchor, "user saw");
    for (const l of walk.steps) add(l.effect, "on the path");
  }
  for (const c of chains) add(c.root, "chain root");
  for (const c of chains) for (const i of c.members) if (signals[i]!.failure) add(i, "other");
  return out;
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
