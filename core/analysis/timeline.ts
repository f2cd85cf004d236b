// The trace in corrected time order, with the moments it crosses from one system to another and the
// silences that stand out (a request that hung, a user who walked away).
import type { LogEntry, System } from "../schema.js";
import { median } from "./format.js";
import { GAP_MEDIAN_FACTOR, GAP_MIN_MS } from "./limits.js";
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

/** Consecutive entries (in corrected order) written by different systems. */
export interface Hop {
  from: System;
  to: System;
  from_id: string;
  to_id: string;
  /** Relative time of the entry the hop arrives at, ms. */
  at_ms: number;
  gap_ms: number;
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
  for (let k = 1; k < items.length; k++) {
    const prev = items[k - 1]!;
    const cur = items[k]!;
    const gap = spacing[k - 1]!;
    if (prev.entry.system !== cur.entry.system) {
      hops.push({
        from: prev.entry.system,
        to: cur.entry.system,
        from_id: prev.entry.id,
        to_id: cur.entry.id,
        at_ms: cur.rel_ms,
        gap_ms: gap,
      });
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
