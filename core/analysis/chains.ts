// Error chains: failures that follow one another after clock correction and share something (an id,
// message text, a server-to-browser hop). Only failures are compared, each with a bounded number of
// predecessors inside a time window, so a 50k-entry trace costs about as much as its error count.
import type { System } from "../schema.js";
import { formatDuration, formatRelative, quote } from "./format.js";
import { normaliseMessage } from "./fingerprint.js";
import {
  CHAIN_ADJACENT_MS,
  CHAIN_FAILURES_MAX,
  CHAIN_IDS_MAX,
  CHAIN_LINK_CANDIDATES,
  CHAIN_WINDOW_MS,
  CHAINS_MAX,
  EVIDENCE_MAX,
  FINGERPRINT_MESSAGE_CHARS,
} from "./limits.js";
import { coreText, extractIdentifiers, isFailure, SERVER_SYSTEMS, type IdentifierKind } from "./signals.js";
import type { Timeline, TimelineEntry } from "./timeline.js";

export interface Failure {
  item: TimelineEntry;
  /** Index in timeline.entries. */
  pos: number;
  ids: Map<string, IdentifierKind>;
  core: string;
  lower: string;
  /** system + normalised message: equal keys are repeats of one failure. */
  key: string;
}

export interface ErrorChain {
  /** Entry ids in corrected order, at most CHAIN_IDS_MAX; error_count is the total. */
  errors: string[];
  error_count: number;
  systems: System[];
  start_ms: number;
  end_ms: number;
  /** Failure hops such as "convex -> browser", origin first. */
  propagation: string[];
  evidence: string[];
  /** The failure most likely to have started the chain. */
  root_id: string;
  score: number;
}

export interface ChainDetail {
  chain: ErrorChain;
  members: Failure[];
  root: Failure;
  /** The failures the root propagated to, with the evidence for each. */
  reportedBy: Array<{ failure: Failure; evidence: string }>;
}

interface Link {
  a: number;
  b: number;
  /** Identifiers found in both ("request id \"8f3a…\""), at most 3. */
  shared?: string[];
  /** Message text found in both. */
  text?: string;
  /** The server failure of a server -> browser (or server -> server) link. */
  origin?: number;
}

export interface ChainResult {
  /** The most significant chains, at most CHAINS_MAX, best first. */
  chains: ChainDetail[];
  /** Chains found in all (singletons included). */
  total: number;
  /** Failures in the trace, and how many of them (the earliest) were linked. */
  failures: number;
  analysed: number;
}

/** Finds failures in the timeline and links them into chains, most significant first. */
export function findChains(timeline: Timeline): ChainResult {
  const failures: Failure[] = [];
  const normalised = new Map<string, string>(); // storms repeat one message: normalise it once
  let failureCount = 0;
  timeline.entries.forEach((item, pos) => {
    if (!isFailure(item.entry)) return;
    if (++failureCount > CHAIN_FAILURES_MAX) return;
    const e = item.entry;
    let norm = normalised.get(e.message);
    if (norm === undefined) normalised.set(e.message, (norm = normaliseMessage(e.message)));
    const lower = e.message.slice(0, FINGERPRINT_MESSAGE_CHARS).toLowerCase();
    failures.push({
      item,
      pos,
      ids: extractIdentifiers(e),
      core: coreText(e.message),
      lower,
      key: `${e.system} ${norm}`,
    });
  });

  const parent = failures.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const links: Link[] = [];
  for (let j = 1; j < failures.length; j++) {
    const b = failures[j]!;
    let linked = 0;
    let propagated = false;
    for (let i = j - 1; i >= 0 && i >= j - CHAIN_LINK_CANDIDATES && linked < 3; i--) {
      const a = failures[i]!;
      if (b.item.t - a.item.t > CHAIN_WINDOW_MS) break;
      const link = compare(a, b, i, j);
      if (!link || (propagated && link.origin !== undefined)) continue;
      if (link.origin !== undefined) propagated = true;
      links.push(link);
      parent[find(i)] = find(j);
      linked++;
    }
  }

  const groups = new Map<number, { members: number[]; links: Link[]; score: number }>();
  failures.forEach((_, i) => {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.members.push(i);
    else groups.set(r, { members: [i], links: [], score: 0 });
  });
  for (const link of links) groups.get(find(link.a))!.links.push(link);
  for (const g of groups.values()) g.score = score(failures, g.members, g.links);
  const top = [...groups.values()]
    .sort((x, y) => y.score - x.score || x.members[0]! - y.members[0]!)
    .slice(0, CHAINS_MAX)
    .map((g) => describeChain(failures, g.members, g.links, g.score));
  return { chains: top, total: groups.size, failures: failureCount, analysed: failures.length };
}

/** Identifier kinds that tie two entries to one operation; a shared status code alone does not. */
const STRONG: ReadonlySet<IdentifierKind> = new Set<IdentifierKind>([
  "request id",
  "uuid",
  "id",
  "function",
  "quoted value",
]);

/** Whether b (later) belongs with a, and why. Cheap: no strings are built here. */
function compare(a: Failure, b: Failure, i: number, j: number): Link | undefined {
  // Repeats of one failure (the key includes the system) always belong together; the chain counts them.
  if (a.key === b.key) return { a: i, b: j };
  const dt = b.item.t - a.item.t;
  const close = i === j - 1 && dt <= CHAIN_ADJACENT_MS;
  let shared: string[] | undefined;
  let strong = false;
  const [small, large] = a.ids.size <= b.ids.size ? [a.ids, b.ids] : [b.ids, a.ids];
  for (const [value, kind] of small) {
    const other = large.get(value);
    if (!other) continue;
    (shared ??= []).push(`${kind} ${quote(value, 60)}`);
    strong ||= STRONG.has(kind) || STRONG.has(other);
    if (shared.length === 3) break;
  }
  let text: string | undefined;
  if (a.core && b.lower.includes(a.core)) text = a.core;
  else if (b.core && a.lower.includes(b.core)) text = b.core;
  if (!shared && !text && !close) return undefined;
  const link: Link = { a: i, b: j };
  if (shared) link.shared = shared;
  if (text) link.text = text;

  const sa = a.item.entry.system;
  const sb = b.item.entry.system;
  if (sa === sb || sa === "manual" || sb === "manual") return link;
  const related = strong || text !== undefined;
  if (SERVER_SYSTEMS.has(sa) && (related || close)) link.origin = i;
  // A browser entry may sort just before the server failure it reports: clocks are corrected only to
  // within network latency. A strong shared id or text within the adjacency window says who reported whom.
  else if (SERVER_SYSTEMS.has(sb) && related && dt <= CHAIN_ADJACENT_MS) link.origin = j;
  return link;
}

function score(failures: Failure[], members: number[], links: Link[]): number {
  const systems = new Set<string>();
  let levelErrors = 0;
  for (const i of members) {
    const e = failures[i]!.item.entry;
    systems.add(e.system);
    if (e.level === "error") levelErrors++;
  }
  const propagated = links.some((l) => l.origin !== undefined);
  return (
    (propagated ? 100 : 0) +
    20 * (systems.size - 1) +
    2 * Math.min(levelErrors, 20) +
    Math.min(members.length - levelErrors, 20) +
    (levelErrors ? 10 : 0)
  );
}

function label(f: Failure): string {
  return `${f.item.entry.system} ${f.item.entry.level} [${f.item.entry.id}]`;
}

function details(link: Link, a: Failure, b: Failure): string {
  const parts: string[] = [];
  if (link.shared) parts.push(`shared ${link.shared.join(", ")} in ${label(a)} and ${label(b)}`);
  if (link.text) parts.push(`${label(b)} and ${label(a)} share the message text ${quote(link.text, 80)}`);
  if (!parts.length) parts.push(`${label(b)} follows ${label(a)} by ${formatDuration(b.item.t - a.item.t)}`);
  return parts.join("; ");
}

function propagationLine(o: Failure, c: Failure): string {
  const delta = c.item.t - o.item.t;
  const when =
    delta >= 0
      ? `${formatDuration(delta)} later`
      : `${formatDuration(-delta)} earlier after clock correction, within the clocks' uncertainty`;
  return `propagation ${o.item.entry.system} -> ${c.item.entry.system}: ${label(o)} at ${formatRelative(o.item.rel_ms)}, ${label(c)} at ${formatRelative(c.item.rel_ms)} (${when})`;
}

function describeChain(failures: Failure[], memberIdx: number[], links: Link[], chainScore: number): ChainDetail {
  const members = memberIdx.map((i) => failures[i]!);
  const systems = [...new Set(members.map((f) => f.item.entry.system))];
  const propagation = new Set<string>();
  const propagating: Link[] = [];
  const related: Link[] = [];
  for (const link of links) {
    if (link.origin !== undefined) {
      const other = link.origin === link.a ? link.b : link.a;
      propagation.add(`${failures[link.origin]!.item.entry.system} -> ${failures[other]!.item.entry.system}`);
      propagating.push(link);
    }
    if (link.shared || link.text || link.origin !== undefined) related.push(link);
  }
  // The origin of a propagation is the earliest server failure; without one, the earliest failure.
  const servers = members.filter((f) => SERVER_SYSTEMS.has(f.item.entry.system));
  const root = (propagation.size && servers.length ? servers : members)[0]!;

  // A few lines of each kind and a count of the rest: a retry chain has dozens of near-identical links.
  const evidence = new Set<string>();
  for (const l of propagating.slice(0, 2)) {
    const [o, c] = l.origin === l.a ? [failures[l.a]!, failures[l.b]!] : [failures[l.b]!, failures[l.a]!];
    evidence.add(propagationLine(o, c));
  }
  if (propagating.length > 2) evidence.add(`${propagating.length - 2} more propagation links like these`);
  for (const l of related.slice(0, 3)) evidence.add(details(l, failures[l.a]!, failures[l.b]!));
  if (related.length > 3) evidence.add(`${related.length - 3} more links by shared ids or text`);
  const repeats = new Map<string, { first: Failure; n: number }>();
  for (const f of members) {
    const r = repeats.get(f.key);
    if (r) r.n++;
    else repeats.set(f.key, { first: f, n: 1 });
  }
  for (const { first, n } of [...repeats.values()].sort((x, y) => y.n - x.n).slice(0, 2)) {
    if (n < 2) break;
    evidence.add(
      `${first.item.entry.system} ${quote(first.item.entry.message, 100)} repeated ${n} times in this chain`,
    );
  }

  const reportedBy = propagating
    .filter((l) => failures[l.origin!] === root)
    .slice(0, 5)
    .map((l) => ({
      failure: failures[l.origin === l.a ? l.b : l.a]!,
      evidence: details(l, failures[l.a]!, failures[l.b]!),
    }));
  const chain: ErrorChain = {
    errors: members.slice(0, CHAIN_IDS_MAX).map((f) => f.item.entry.id),
    error_count: members.length,
    systems,
    start_ms: members[0]!.item.rel_ms,
    end_ms: members[members.length - 1]!.item.rel_ms,
    propagation: [...propagation],
    evidence: [...evidence].slice(0, EVIDENCE_MAX),
    root_id: root.item.entry.id,
    score: chainScore,
  };
  return { chain, members, root, reportedBy };
}
