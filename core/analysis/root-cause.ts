// The root cause as correlate_trace reports it: the walk's result with the whole message, the top of the
// stack, the steps from the cause to what the user saw and their evidence, and the failures beside it.
import type { Level, LogEntry, System } from "../schema.js";
import { alternatives, stepOf, type Alternative, type CauseStep, type Confidence, type Walk } from "./cause.js";
import type { ChainDetail, Graph } from "./chains.js";
import { formatDuration, formatRelative, plural, quote } from "./format.js";
import { CAUSE_STACK_LINES, EVIDENCE_MAX, FAILURES_DETAIL_MAX, PATH_STEPS_MAX } from "./limits.js";
import type { RetryStorm } from "./retry.js";
import { parseStack, topFrames } from "./stack.js";
import type { Timeline } from "./timeline.js";

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

export function rootCause(
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
    confidence_reason: walk.confidenceReason,
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

export function stormSentence(s: RetryStorm): string {
  const what = s.kind === "retry" ? "retry storm" : "repeated failure";
  return `${what}: ${s.system} ${s.level} ${quote(s.message, 100)} repeated ${s.count} times from ${formatRelative(s.first_ms)} to ${formatRelative(s.last_ms)} (${formatDuration(s.last_ms - s.first_ms)}) before [${s.before_id}]`;
}

/** Root cause, what the user saw and the steps between, other chains' roots, then other failures. */
export function failureDetails(graph: Graph, walk: Walk | undefined, chains: ChainDetail[]): FailureDetail[] {
  const { signals } = graph;
  const counts = new Map<string, number>();
  for (const s of signals) counts.set(s.key, (counts.get(s.key) ?? 0) + 1);
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
