// Error chains: failures (and server lines answering 4xx/5xx) tied together by evidence, never by time
// alone. Each signal is compared with a bounded number of predecessors inside a time window, so a
// 50k-entry trace costs about as much as its error count.
import type { System } from "../schema.js";
import { label, linkSignals, toSignal, type Link, type Signal } from "./evidence.js";
import { formatRelative, quote } from "./format.js";
import {
  CHAIN_FAILURES_MAX,
  CHAIN_IDS_MAX,
  CHAIN_LINK_CANDIDATES,
  CHAIN_WINDOW_MS,
  CHAINS_MAX,
  EVIDENCE_MAX,
} from "./limits.js";
import { isFailure, isSuspect } from "./signals.js";
import type { Timeline } from "./timeline.js";

export interface ErrorChain {
  /** Entry ids in corrected order, at most CHAIN_IDS_MAX; error_count is the total. */
  errors: string[];
  error_count: number;
  systems: System[];
  start_ms: number;
  end_ms: number;
  /** Cross-system steps such as "convex -> browser", cause first. */
  propagation: string[];
  evidence: string[];
  /** The deepest cause the chain's evidence supports, walked back from its last user-visible failure. */
  root_id: string;
  /**
   * `main`: holds the failure the user saw last (the root cause's chain); `moved_past`: an earlier failure
   * the user saw and went on from; `other`: failures the user did not see (background, server only).
   */
  role: "main" | "moved_past" | "other";
  score: number;
}

/** Signals and the links between them: what chains and the root-cause walk share. */
export interface Graph {
  signals: Signal[];
  links: Link[];
  /** Links by effect signal index. */
  causesOf: Link[][];
  /** Failures in the trace, and how many of them (the earliest) became signals. */
  failures: number;
  analysed: number;
}

export interface ChainDetail {
  chain: ErrorChain;
  /** Signal indices in corrected order. */
  members: number[];
  root: number;
}

/** Links per signal to earlier ones: a storm of repeats needs one, a report of a server failure one more. */
const LINKS_PER_SIGNAL = 4;

export function buildGraph(timeline: Timeline): Graph {
  const signals: Signal[] = [];
  const normalised = new Map<string, string>();
  const lastOfSystem = new Map<System, number>();
  const previousSame: number[] = [];
  let failures = 0;
  timeline.entries.forEach((item, pos) => {
    const system = item.entry.system;
    previousSame[pos] = lastOfSystem.get(system) ?? -1;
    lastOfSystem.set(system, pos);
    const failure = isFailure(item.entry);
    if (failure) failures++;
    if (signals.length >= CHAIN_FAILURES_MAX || (!failure && !isSuspect(item.entry))) return;
    signals.push(toSignal(item, pos, failure, normalised));
  });

  const links: Link[] = [];
  const causesOf: Link[][] = signals.map(() => []);
  for (let j = 1; j < signals.length; j++) {
    const b = signals[j]!;
    let found = 0;
    let repeated = false;
    for (let i = j - 1; i >= 0 && i >= j - CHAIN_LINK_CANDIDATES && found < LINKS_PER_SIGNAL; i--) {
      const a = signals[i]!;
      if (b.item.t - a.item.t > 2 * CHAIN_WINDOW_MS) break;
      if (!a.failure && !b.failure) continue;
      const link = linkSignals(a, b, i, j, previousSame[b.pos] === a.pos);
      if (!link || (link.repeat && repeated)) continue;
      repeated ||= link.repeat;
      links.push(link);
      causesOf[link.effect]!.push(link);
      found++;
    }
  }
  return { signals, links, causesOf, failures, analysed: signals.filter((s) => s.failure).length };
}

/**
 * Groups linked signals (recovered attempts left out) into chains. `rootOf` walks a chain back from its
 * anchor; `mainAnchor` is the failure the user saw last, whose chain comes first.
 */
export function groupChains(
  graph: Graph,
  mainAnchor: number | undefined,
  rootOf: (anchor: number) => number,
): { chains: ChainDetail[]; total: number } {
  const { signals } = graph;
  const parent = signals.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const usable = (i: number) => signals[i]!.recoveredBy === undefined;
  for (const l of graph.links) if (usable(l.cause) && usable(l.effect)) parent[find(l.cause)] = find(l.effect);

  const groups = new Map<number, number[]>();
  signals.forEach((s, i) => {
    if (!usable(i)) return;
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  });
  const linksOf = new Map<number, Link[]>();
  for (const l of graph.links) {
    if (!usable(l.cause) || !usable(l.effect)) continue;
    const r = find(l.effect);
    const list = linksOf.get(r);
    if (list) list.push(l);
    else linksOf.set(r, [l]);
  }
  const mainGroup = mainAnchor === undefined ? undefined : find(mainAnchor);
  const anchorTime = mainAnchor === undefined ? Infinity : signals[mainAnchor]!.item.t;
  const scored: Array<{ members: number[]; links: Link[]; score: number; role: ErrorChain["role"] }> = [];
  for (const [r, members] of groups) {
    // A server line answering 4xx that no failure is tied to is not a chain.
    if (!members.some((i) => signals[i]!.failure)) continue;
    const groupLinks = linksOf.get(r) ?? [];
    const last = signals[members[members.length - 1]!]!;
    const userSaw = members.some((i) => signals[i]!.failure && signals[i]!.item.entry.system === "browser");
    const role: ErrorChain["role"] =
      r === mainGroup ? "main" : userSaw && last.item.t < anchorTime ? "moved_past" : "other";
    scored.push({ members, links: groupLinks, score: score(signals, members, groupLinks), role });
  }
  const rank = (role: ErrorChain["role"]) => (role === "main" ? 0 : 1);
  const top = scored
    .sort((x, y) => rank(x.role) - rank(y.role) || y.score - x.score || x.members[0]! - y.members[0]!)
    .slice(0, CHAINS_MAX)
    .map((g) => describeChain(signals, g.members, g.links, g.score, g.role, rootOf(chainAnchor(signals, g.members))));
  return { chains: top, total: scored.length };
}

/** The chain's last failure the browser shows, else its last failure. */
export function chainAnchor(signals: Signal[], members: number[]): number {
  for (let k = members.length - 1; k >= 0; k--) {
    const s = signals[members[k]!]!;
    if (s.failure && s.item.entry.system === "browser") return members[k]!;
  }
  for (let k = members.length - 1; k >= 0; k--) if (signals[members[k]!]!.failure) return members[k]!;
  return members[members.length - 1]!;
}

function score(signals: Signal[], members: number[], links: Link[]): number {
  const systems = new Set<string>();
  let levelErrors = 0;
  for (const i of members) {
    const e = signals[i]!.item.entry;
    systems.add(e.system);
    if (e.level === "error") levelErrors++;
  }
  const crossing = links.some((l) => systemOfIdx(signals, l.cause) !== systemOfIdx(signals, l.effect));
  return (
    (crossing ? 100 : 0) +
    20 * (systems.size - 1) +
    2 * Math.min(levelErrors, 20) +
    Math.min(members.length - levelErrors, 20) +
    (levelErrors ? 10 : 0)
  );
}

function systemOfIdx(signals: Signal[], i: number): System {
  return signals[i]!.item.entry.system;
}

export function linkLine(signals: Signal[], l: Link): string {
  const c = signals[l.cause]!;
  const e = signals[l.effect]!;
  return `${label(c)} at ${formatRelative(c.item.rel_ms)} -> ${label(e)} at ${formatRelative(e.item.rel_ms)}: ${l.evidence.join("; ")}`;
}

function describeChain(
  signals: Signal[],
  members: number[],
  links: Link[],
  chainScore: number,
  role: ErrorChain["role"],
  root: number,
): ChainDetail {
  const systems = [...new Set(members.map((i) => signals[i]!.item.entry.system))];
  const propagation = new Set<string>();
  const steps: Link[] = [];
  const repeats = new Map<string, { first: Signal; n: number }>();
  for (const l of links) {
    if (l.repeat) continue;
    steps.push(l);
    const from = systemOfIdx(signals, l.cause);
    const to = systemOfIdx(signals, l.effect);
    if (from !== to) propagation.add(`${from} -> ${to}`);
  }
  for (const i of members) {
    const s = signals[i]!;
    const r = repeats.get(s.key);
    if (r) r.n++;
    else repeats.set(s.key, { first: s, n: 1 });
  }
  // A few lines of each kind and a count of the rest: a retry chain has dozens of near-identical links.
  const evidence = new Set<string>();
  const ordered = [...steps].sort((a, b) => b.strength - a.strength);
  for (const l of ordered.slice(0, 4)) evidence.add(linkLine(signals, l));
  if (steps.length > 4) evidence.add(`${steps.length - 4} more links by shared ids, URLs, text or kind`);
  for (const { first, n } of [...repeats.values()].sort((x, y) => y.n - x.n).slice(0, 2)) {
    if (n < 2) break;
    evidence.add(
      `${first.item.entry.system} ${quote(first.item.entry.message, 100)} repeated ${n} times in this chain`,
    );
  }
  const chain: ErrorChain = {
    errors: members.slice(0, CHAIN_IDS_MAX).map((i) => signals[i]!.item.entry.id),
    error_count: members.length,
    systems,
    start_ms: signals[members[0]!]!.item.rel_ms,
    end_ms: signals[members[members.length - 1]!]!.item.rel_ms,
    propagation: [...propagation],
    evidence: [...evidence].slice(0, EVIDENCE_MAX),
    root_id: signals[root]!.item.entry.id,
    role,
    score: chainScore,
  };
  return { chain, members, root };
}
