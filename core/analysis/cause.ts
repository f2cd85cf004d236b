// The root cause, walked back from what the user saw: the last failure the browser shows anchors the
// walk, which follows causal links (shared ids, URLs, quoted text, a retried operation) to the deepest
// cause the evidence supports. Every step keeps its evidence; weak steps lower the confidence word.
import type { Level, System } from "../schema.js";
import type { ChainDetail, Graph } from "./chains.js";
import { strengthWord, type Link, type Signal, type Strength } from "./evidence.js";
import { capText, formatRelative } from "./format.js";
import { ALTERNATIVES_MAX, CAUSE_WALK_MAX, UNLINKED_NEARBY_MS } from "./limits.js";

export type Confidence = "high" | "medium" | "low";

/** One step from a cause to its effect on the way to what the user saw. */
export interface CauseStep {
  from_id: string;
  to_id: string;
  from: System;
  to: System;
  strength: "strong" | "medium" | "weak";
  /** What ties the two entries: shared request id, URL, quoted text, a retried operation, kind of failure. */
  evidence: string;
}

/** A candidate that was considered and not chosen, with the reason. */
export interface Alternative {
  id: string;
  system: System;
  level: Level;
  rel_ms: number;
  /** Capped; untrusted log content. */
  message: string;
  why_not: string;
}

export interface Walk {
  /** The failure the user saw last (signal index). */
  anchor: number;
  root: number;
  /** Root first, anchor last. */
  steps: Link[];
  confidence: Confidence;
  confidenceReason: string;
  /** Signals reached from the anchor. */
  reached: Set<number>;
  /** Other eligible causes the walk reached, earliest first. */
  others: number[];
}

/** The last failure the user saw: a browser failure; without one, the last server error. */
export function findAnchor(graph: Graph): { index: number; userVisible: boolean } | undefined {
  const { signals } = graph;
  let fallback: number | undefined;
  for (let i = signals.length - 1; i >= 0; i--) {
    const s = signals[i]!;
    if (!s.failure || s.recoveredBy !== undefined) continue;
    if (s.item.entry.system === "browser") return { index: i, userVisible: true };
    if (fallback === undefined && s.item.entry.level === "error") fallback = i;
  }
  return fallback === undefined ? undefined : { index: fallback, userVisible: false };
}

/** Walks causal links back from `anchor` and picks the deepest eligible cause. */
export function walkBack(graph: Graph, anchor: number): Walk {
  const { signals, causesOf } = graph;
  // Cheapest paths first (a strong link costs 1, medium 2, weak 3; a repeat 1), so each signal is reached
  // by its best-evidenced path: a bucket queue, costs being small integers.
  // Causal time: an effect's cause is earlier even when clocks put it a little later.
  const causal = new Map<number, number>();
  const via = new Map<number, Link>();
  const cost = new Map<number, number>([[anchor, 0]]);
  const buckets: number[][] = [[anchor]];
  const settled = new Set<number>();
  const strongest = new Map<number, Link>();
  for (let c = 0; c < buckets.length && settled.size < CAUSE_WALK_MAX; c++) {
    for (const x of buckets[c] ?? []) {
      if (settled.has(x) || cost.get(x) !== c) continue;
      settled.add(x);
      const link = via.get(x);
      causal.set(x, link ? Math.min(signals[x]!.item.t, causal.get(link.effect)! - 0.001) : signals[x]!.item.t);
      if (settled.size >= CAUSE_WALK_MAX) break;
      for (const l of causesOf[x]!) {
        const y = l.cause;
        if (signals[y]!.recoveredBy !== undefined) continue;
        // Eligibility rests on the best evidence tying y to anything reached, not on the cheapest path.
        const known = strongest.get(y);
        if (!known || (!l.repeat && (known.repeat || l.strength > known.strength))) strongest.set(y, l);
        if (settled.has(y)) continue;
        const next = c + (l.repeat ? 1 : 4 - l.strength);
        if (next >= (cost.get(y) ?? Infinity)) continue;
        cost.set(y, next);
        via.set(y, l);
        (buckets[next] ??= []).push(y);
      }
    }
  }
  let root = anchor;
  const candidates: number[] = [];
  for (const [i, t] of causal) {
    if (i === anchor || !eligible(signals, i, strongest.get(i))) continue;
    candidates.push(i);
    const best = causal.get(root)!;
    if (t < best || (t === best && signals[i]!.item.entry.level === "error")) root = i;
  }
  const steps: Link[] = [];
  for (let k = root; k !== anchor;) {
    const link = via.get(k)!;
    steps.push(link);
    k = link.effect;
  }
  let { confidence, reason } = rate(signals, steps);
  const reached = new Set(causal.keys());
  if (root === anchor) {
    const unlinked = unlinkedBefore(signals, anchor, reached);
    if (unlinked.length) {
      confidence = "medium";
      reason = `nothing ties the failure just before it (${unlinked.map((i) => `[${signals[i]!.item.entry.id}]`).join(", ")}) to it, so it is taken as its own cause`;
    } else reason = "the failure the user saw itself: nothing earlier is tied to it";
  }
  candidates.sort((a, b) => causal.get(a)! - causal.get(b)!);
  return {
    anchor,
    root,
    steps,
    confidence,
    confidenceReason: reason,
    reached,
    others: candidates.filter((i) => i !== root),
  };
}

/** Unrecovered errors shortly before the anchor that the walk did not reach. */
function unlinkedBefore(signals: Signal[], anchor: number, reached: Set<number>): number[] {
  const out: number[] = [];
  const t = signals[anchor]!.item.t;
  for (let i = anchor - 1; i >= 0 && out.length < ALTERNATIVES_MAX; i--) {
    const s = signals[i]!;
    if (t - s.item.t > UNLINKED_NEARBY_MS) break;
    if (reached.has(i) || !s.failure || s.recoveredBy !== undefined || s.item.entry.level !== "error") continue;
    out.push(i);
  }
  return out;
}

/**
 * Errors are causes; a warning only when it is an attempt (retry, timeout) of the operation or evidence of
 * URL strength or better ties it; a server line at info or warn when a cross-system step shows it.
 */
function eligible(signals: Signal[], i: number, link: Link | undefined): boolean {
  const s = signals[i]!;
  if (s.failure && s.item.entry.level === "error") return true;
  if (s.failure && s.attempt) return true;
  if (!link || link.strength < 2 || link.repeat) return false;
  if (s.failure) return true;
  return s.item.entry.system !== signals[link.effect]!.item.entry.system;
}

/**
 * Rated on the steps up to where the failure reached the browser: later browser-to-browser steps (the
 * error, then the toast) are what the user saw, not part of the inference.
 */
function rate(signals: Signal[], steps: Link[]): { confidence: Confidence; reason: string } {
  const inferred: Link[] = [];
  for (const l of steps) {
    inferred.push(l);
    const effect = signals[l.effect]!;
    if (effect.failure && effect.item.entry.system === "browser") break;
  }
  const substantive = inferred.filter((l) => !l.repeat);
  if (!substantive.length) return { confidence: "high", reason: "" };
  const weakest = Math.min(...substantive.map((l) => l.strength)) as Strength;
  const strongest = Math.max(...substantive.map((l) => l.strength));
  if (weakest === 1) {
    return {
      confidence: "low",
      reason: "a step rests only on a shared status, the kind of failure or two failures in a row",
    };
  }
  if (strongest === 3) return { confidence: "high", reason: "an id, a URL or message text shared at every step" };
  return {
    confidence: "medium",
    reason: "the steps rest on shared URLs, statuses or a retried operation, no shared id",
  };
}

/** Other candidates: later causes on the walk, unlinked failures just before, chains the user moved past. */
export function alternatives(graph: Graph, walk: Walk, chains: ChainDetail[]): Alternative[] {
  const { signals } = graph;
  const out: Alternative[] = [];
  const add = (i: number, why: string) => {
    if (out.length >= ALTERNATIVES_MAX || out.some((a) => a.id === signals[i]!.item.entry.id)) return;
    const e = signals[i]!.item.entry;
    out.push({
      id: e.id,
      system: e.system,
      level: e.level,
      rel_ms: signals[i]!.item.rel_ms,
      message: capText(e.message, 300),
      why_not: why,
    });
  };
  for (const link of walk.steps) {
    const i = link.effect;
    if (i === walk.anchor || i === walk.root) continue;
    const s = signals[i]!;
    if (s.item.entry.level !== "error" && s.item.entry.system === signals[walk.root]!.item.entry.system) continue;
    add(
      i,
      `on the chain after the root cause (${formatRelative(s.item.rel_ms - signals[walk.root]!.item.rel_ms)} later): an effect, tied to it by ${link.evidence[0]}`,
    );
    if (out.length >= 2) break;
  }
  for (const i of walk.others.slice(0, 2)) {
    add(i, "also tied to what the user saw, but later than the root cause: more likely an effect of it");
  }
  if (walk.root !== walk.anchor) {
    add(walk.anchor, "what the user saw; the walk back found an earlier cause");
  }
  for (const i of unlinkedBefore(signals, walk.anchor, walk.reached)) {
    add(i, "close in time, but shares no id, URL, text or retried operation with the failure the user saw");
  }
  for (const c of chains) {
    if (c.chain.role !== "moved_past") continue;
    add(
      c.root,
      `root of an earlier chain that ended at ${formatRelative(c.chain.end_ms)}; the user went on before the failure the trace ends with`,
    );
  }
  return out;
}

export function stepOf(signals: Signal[], link: Link): CauseStep {
  const c = signals[link.cause]!.item.entry;
  const e = signals[link.effect]!.item.entry;
  return {
    from_id: c.id,
    to_id: e.id,
    from: c.system,
    to: e.system,
    strength: strengthWord(link.strength),
    evidence: link.evidence.join("; "),
  };
}
