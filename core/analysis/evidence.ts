// Causal evidence between two entries: what they share (a request id, an entity id, a URL, message text,
// a status), whether one is an attempt of the operation the other reports failed, or only the kind of
// failure. Time adjacency alone is never evidence. Each link has a strength the root-cause walk and the
// confidence word rest on.
import type { System } from "../schema.js";
import { normaliseMessage } from "./fingerprint.js";
import { quote } from "./format.js";
import {
  CAUSE_INVERSION_MS,
  CHAIN_WINDOW_MS,
  FINGERPRINT_MESSAGE_CHARS,
  SEQUENCE_LINK_MS,
  STATUS_LINK_MS,
  TOPIC_LINK_MS,
} from "./limits.js";
import {
  coreText,
  extractIdentifiers,
  failureTopics,
  isAttempt,
  isTerminalRetry,
  SERVER_SYSTEMS,
  topicNames,
  type IdentifierKind,
} from "./signals.js";
import type { TimelineEntry } from "./timeline.js";

/** An entry the analysis reasons about: a failure, or a server line answering with a 4xx/5xx. */
export interface Signal {
  item: TimelineEntry;
  /** Index in timeline.entries. */
  pos: number;
  /** False for a suspect server line (isSuspect), true for a failure. */
  failure: boolean;
  ids: Map<string, IdentifierKind>;
  core: string;
  /** The first clause of core ("no such price: 'price_1…'"), for text that another system quotes in part. */
  clause: string;
  lower: string;
  /** system + normalised message: equal keys are repeats of one failure. */
  key: string;
  topics: number;
  /** A retry, reconnect or timeout: an attempt of an operation. */
  attempt: boolean;
  /** "failed after 3 attempts", "gave up". */
  terminal: boolean;
  /** Set when a later success shows the operation recovered (recovery.ts). */
  recoveredBy?: string;
}

/** 3: shared request/entity id or message text; 2: URL, retried operation, repeat; 1: status or kind only. */
export type Strength = 1 | 2 | 3;

export interface Link {
  /** Signal indices: the cause (usually earlier) and the effect. */
  cause: number;
  effect: number;
  strength: Strength;
  /** What ties them, readable: 'request id "8f3a…"', 'URL "/api/orders"', 'both are authentication failures'. */
  evidence: string[];
  /** The same failure repeating (not a step from one failure to another). */
  repeat: boolean;
}

const STRONG_KINDS: ReadonlySet<IdentifierKind> = new Set(["request id", "uuid", "id", "function", "quoted value"]);

export function toSignal(item: TimelineEntry, pos: number, failure: boolean, normalised: Map<string, string>): Signal {
  const e = item.entry;
  let norm = normalised.get(e.message);
  if (norm === undefined) normalised.set(e.message, (norm = normaliseMessage(e.message)));
  const core = coreText(e.message);
  const clause = core.split(/[.;\n]|, (?=[a-z]+ )/, 1)[0]!.trim();
  return {
    item,
    pos,
    failure,
    ids: extractIdentifiers(e),
    core,
    clause: clause.length >= 12 && clause.length < core.length ? clause : "",
    lower: e.message.slice(0, FINGERPRINT_MESSAGE_CHARS).toLowerCase(),
    key: `${e.system} ${norm}`,
    topics: failureTopics(e.message),
    attempt: isAttempt(e.message),
    terminal: isTerminalRetry(e.message),
  };
}

/**
 * The link between a (earlier in corrected time) and b, or undefined when nothing but time ties them.
 * `adjacent`: no entry of their (common) system lies between them.
 */
export function linkSignals(a: Signal, b: Signal, i: number, j: number, adjacent: boolean): Link | undefined {
  const dt = b.item.t - a.item.t;
  if (dt > CHAIN_WINDOW_MS * 2) return undefined;
  const sa = a.item.entry.system;
  const sb = b.item.entry.system;
  if (a.key === b.key && a.failure && b.failure) {
    if (dt > CHAIN_WINDOW_MS) return undefined;
    return { cause: i, effect: j, strength: 2, evidence: ["the same failure repeated"], repeat: true };
  }
  const evidence: string[] = [];
  let strength = 0;
  let kindOnly = false;
  let sharedAny = false;
  let strongShared = false;
  const [small, large] = a.ids.size <= b.ids.size ? [a.ids, b.ids] : [b.ids, a.ids];
  for (const [value, kind] of small) {
    const other = large.get(value);
    if (!other) continue;
    sharedAny = true;
    const label = kind === "id" && other !== "id" ? other : kind;
    if (STRONG_KINDS.has(kind) || STRONG_KINDS.has(other)) {
      if (dt > CHAIN_WINDOW_MS) continue;
      strength = 3;
      strongShared = true;
      evidence.push(`${label} ${quote(value, 60)}`);
    } else if (kind === "url" || other === "url") {
      if (dt > CHAIN_WINDOW_MS) continue;
      strength = Math.max(strength, 2);
      evidence.push(`URL ${quote(value, 80)}`);
    } else if (dt <= STATUS_LINK_MS) {
      kindOnly = true;
      evidence.push(`status ${value}`);
    }
    if (evidence.length >= 3) break;
  }
  if (dt <= CHAIN_WINDOW_MS) {
    const text = sharedText(a, b);
    if (text) {
      strength = 3;
      evidence.push(`message text ${quote(text, 80)}`);
    }
  }
  // A retried operation that then failed for good: the attempts and the terminal failure of one system.
  if (a.attempt && (b.terminal || b.item.entry.level === "error") && sa === sb && (sharedAny || a.topics & b.topics)) {
    strength = Math.max(strength, 2);
    evidence.push(`${label(a)} is an attempt of the operation that then failed`);
  }
  if (a.failure && b.failure && a.topics & b.topics && dt <= TOPIC_LINK_MS) {
    // A shared 504 and "both are timeouts" are one fact, counted once.
    kindOnly = true;
    evidence.push(`both are ${topicNames(a.topics & b.topics).join(" and ")} failures`);
  }
  let weak = kindOnly ? 1 : 0;
  // Consecutive failures of one system, or a server failure and the 4xx/5xx answer it logs next.
  if (adjacent && sa === sb && a.failure && dt <= SEQUENCE_LINK_MS) {
    weak++;
    evidence.push(
      b.failure
        ? `consecutive ${sa} failures ${dt.toFixed(0)} ms apart with nothing between them`
        : `the next ${sa} line, ${dt.toFixed(0)} ms later, answers with an error status`,
    );
  }
  if (strength === 0 && weak === 0) return undefined;
  const total = Math.max(strength, weak) as Strength;
  const link: Link = { cause: i, effect: j, strength: total, evidence, repeat: false };
  // Clocks are corrected only to within network latency: a server failure may sort just after the browser
  // line that reports it. Text the browser quotes, or a shared request id, says who reported whom.
  if (sa !== sb && dt <= CAUSE_INVERSION_MS && SERVER_SYSTEMS.has(sb) && !SERVER_SYSTEMS.has(sa)) {
    const quotes = b.core !== "" && a.lower.includes(b.core);
    if (quotes || (strongShared && a.failure)) {
      link.cause = j;
      link.effect = i;
    }
  }
  return link;
}

function sharedText(a: Signal, b: Signal): string | undefined {
  if (a.core && b.lower.includes(a.core)) return a.core;
  if (b.core && a.lower.includes(b.core)) return b.core;
  if (a.clause && b.lower.includes(a.clause)) return a.clause;
  if (b.clause && a.lower.includes(b.clause)) return b.clause;
  return undefined;
}

export function label(s: Signal): string {
  return `${s.item.entry.system} ${s.item.entry.level} [${s.item.entry.id}]`;
}

export function strengthWord(s: Strength): "strong" | "medium" | "weak" {
  return s === 3 ? "strong" : s === 2 ? "medium" : "weak";
}

export function systemOf(s: Signal): System {
  return s.item.entry.system;
}
