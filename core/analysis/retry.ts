// Retry storms: the same retrying or failing message repeated before a failure. An agent that sees
// "x8 before the final error" looks at the backoff and the upstream, not at the last line. Messages are
// compared normalised, so attempts that differ only by backoff and attempt number are one storm.
import type { Level, System } from "../schema.js";
import { normaliseMessage } from "./fingerprint.js";
import {
  RETRY_STORM_LOOKBACK_MS,
  RETRY_STORM_MIN_ATTEMPTS,
  RETRY_STORM_MIN_REPEATS,
  RETRY_STORM_SCAN_MAX,
} from "./limits.js";
import { isRetryLike, isRetryMessage } from "./signals.js";
import type { TimelineEntry } from "./timeline.js";

const SEVERITY: Record<Level, number> = { debug: 0, log: 1, info: 2, warn: 3, error: 4 };

export interface RetryStorm {
  /** `retry`: the message talks about retrying; `repeat`: the same failure recurring. */
  kind: "retry" | "repeat";
  system: System;
  /** The most severe level among the repeats. */
  level: Level;
  /** The first occurrence's message (raw, untrusted). */
  message: string;
  normalised: string;
  count: number;
  first_id: string;
  last_id: string;
  /** Relative times of the first and last repeat, ms. */
  first_ms: number;
  last_ms: number;
  /** The failure the storm ran up to. */
  before_id: string;
}

/**
 * Repeats of one (system, normalised message) among retry-like entries in the RETRY_STORM_LOOKBACK_MS
 * before entries[endPos], largest first. Scans at most RETRY_STORM_SCAN_MAX entries backwards.
 */
export function findRetryStorms(entries: readonly TimelineEntry[], endPos: number): RetryStorm[] {
  const end = entries[endPos];
  if (!end) return [];
  const since = end.t - RETRY_STORM_LOOKBACK_MS;
  const byKey = new Map<
    string,
    { first: TimelineEntry; last: TimelineEntry; count: number; normalised: string; level: Level }
  >();
  for (let k = endPos; k >= 0 && k > endPos - RETRY_STORM_SCAN_MAX; k--) {
    const item = entries[k]!;
    if (item.t < since) break;
    if (!isRetryLike(item.entry)) continue;
    const normalised = normaliseMessage(item.entry.message);
    const key = `${item.entry.system} ${normalised}`;
    const acc = byKey.get(key);
    // Walking backwards: the latest occurrence is seen first.
    if (acc) {
      acc.first = item;
      acc.count++;
      if (SEVERITY[item.entry.level] > SEVERITY[acc.level]) acc.level = item.entry.level;
    } else byKey.set(key, { first: item, last: item, count: 1, normalised, level: item.entry.level });
  }
  const storms: RetryStorm[] = [];
  for (const acc of byKey.values()) {
    const retry = isRetryMessage(acc.first.entry.message);
    if (acc.count < (retry ? RETRY_STORM_MIN_ATTEMPTS : RETRY_STORM_MIN_REPEATS)) continue;
    storms.push({
      kind: retry ? "retry" : "repeat",
      system: acc.first.entry.system,
      level: acc.level,
      message: acc.first.entry.message,
      normalised: acc.normalised,
      count: acc.count,
      first_id: acc.first.entry.id,
      last_id: acc.last.entry.id,
      first_ms: acc.first.rel_ms,
      last_ms: acc.last.rel_ms,
      before_id: end.entry.id,
    });
  }
  // Retries first, then failing repeats: they say more than the requests that preceded them.
  const rank = (s: RetryStorm) => (s.kind === "retry" ? 10 : 0) + SEVERITY[s.level];
  return storms.sort((a, b) => rank(b) - rank(a) || b.count - a.count || a.first_ms - b.first_ms);
}
