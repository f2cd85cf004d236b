// The trace in corrected time order, with the moments it crosses from one system to another (only where
// both sides share something: a request id, a URL, an entity id, a status) and the silences that stand
// out (a request that hung, a user who walked away).
import type { LogEntry, System } from "../schema.js";
import { median, quote } from "./format.js";
import { GAP_MEDIAN_FACTOR, GAP_MIN_MS, HOP_LOOKBACK, HOP_WINDOW_MS } from "./limits.js";
import { hopKeys } from "./signals.js";
import { correctClockSkew, type SkewCorrection } from "./skew.js";

export interface TimelineEntry {
  entry: LogEntry;
  /** Corrected time on the server clock, ms since epoch. */
  t: number;
  /** t minus the first entry's t, ms. */
  rel_ms: number;
  /** Position in arrival order (the order the store returned). */
  seq: number;
}

/**
 * A step from one system to another: an entry and the nearest earlier entry of another system (within
 * HOP_LOOKBACK entries and HOP_WINDOW_MS) that shares evidence with it. Adjacency in time alone is no hop.
 */
export interface Hop {
  from: System;
  to: System;
  from_id: string;
  to_id: string;
  /** Relative time of the entry the hop arrives at, ms. */
  at_ms: number;
  gap_ms: number;
  /** What both entries carry, e.g. 'URL "/api/notes"', 'request id "8f3a…"', 'status 401'. */
  evidence: string;
}

/** A silence longer than GAP_MIN_MS and GAP_MEDIAN_FACTOR times the median spacing. */
export interface Gap {
  after_id: string;
  before_id: string;
  /** Relative time where the silence starts, ms. */
  at_ms: number;
  gap_ms: number;
  /** gap_ms divided by the median spacing; null when the median is 0 (entries mostly share a millisecond). */
  times_median: number | null;
}

export interface Timeline {
  /** Corrected time of the first entry, ms since epoch (0 for an empty trace). */
  start: number;
  duration_ms: number;
  entries: TimelineEntry[];
  hops: Hop[];
  gaps: Gap[];
  median_gap_ms: number;
  skew: SkewCorrection;
}

/** Sorts by corrected time, stable on arrival order, so entries of one stream keep the sender's order. */
export function buildTimeline(
  entries: readonly LogEntry[],
  skew: SkewCorrection = correctClockSkew(entries),
): Timeline {
  const { times } = skew;
  const order = Array.from({ length: entries.length }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  const start = order.length ? times[order[0]!]! : 0;
  const items: TimelineEntry[] = order.map((i) => ({
    entry: entries[i]!,
    t: times[i]!,
    rel_ms: times[i]! - start,
    seq: i,
  }));

  const spacing = new Float64Array(Math.max(0, items.length - 1));
  for (let k = 1; k < items.length; k++) spacing[k - 1] = items[k]!.t - items[k - 1]!.t;
  const medianGap = median(spacing);
  const threshold = Math.max(GAP_MIN_MS, GAP_MEDIAN_FACTOR * medianGap);

  const hops: Hop[] = [];
  const gaps: Gap[] = [];
  const keys: Array<readonly string[] | undefined> = [];
  const keysAt = (k: number) => (keys[k] ??= hopKeys(items[k]!.entry));
  for (let k = 1; k < items.length; k++) {
    const prev = items[k - 1]!;
    const cur = items[k]!;
    const gap = spacing[k - 1]!;
    // Only where the trace changes system is a hop looked for (identifiers are extracted lazily there).
    if (prev.entry.system !== cur.entry.system) {
      for (let j = k - 1; j >= 0 && j >= k - HOP_LOOKBACK; j--) {
        const from = items[j]!;
        if (cur.t - from.t > HOP_WINDOW_MS) break;
        if (from.entry.system === cur.entry.system) continue;
        const evidence = sharedEvidence(keysAt(j), keysAt(k));
        if (!evidence) continue;
        hops.push({
          from: from.entry.system,
          to: cur.entry.system,
          from_id: from.entry.id,
          to_id: cur.entry.id,
          at_ms: cur.rel_ms,
          gap_ms: cur.t - from.t,
          evidence,
        });
        break;
      }
    }
    if (gap > threshold) {
      gaps.push({
        after_id: prev.entry.id,
        before_id: cur.entry.id,
        at_ms: prev.rel_ms,
        gap_ms: gap,
        times_median: medianGap > 0 ? Math.round(gap / medianGap) : null,
      });
    }
  }
  const last = items[items.length - 1];
  return {
    start,
    duration_ms: last ? last.rel_ms : 0,
    entries: items,
    hops,
    gaps,
    median_gap_ms: medianGap,
    skew,
  };
}

function sharedEvidence(a: readonly string[], b: readonly string[]): string | undefined {
  if (!a.length || !b.length) return undefined;
  let found: string | undefined;
  for (const key of a) {
    if (!b.includes(key)) continue;
    // A status alone is the weakest evidence: keep looking for an id or URL.
    if (!key.startsWith("status ")) return describeKey(key);
    found ??= key;
  }
  return found;
}

/** 'URL "/api/notes"' from "URL /api/notes"; "status 401" as is. */
function describeKey(key: string): string {
  if (key.startsWith("status ")) return key;
  const space = key.startsWith("request id ") ? 10 : key.indexOf(" ");
  return `${key.slice(0, space)} ${quote(key.slice(space + 1), 60)}`;
}

/** Index of the first timeline entry with t >= time (binary search; entries are sorted by t). */
export function lowerBound(items: readonly TimelineEntry[], time: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.t < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
