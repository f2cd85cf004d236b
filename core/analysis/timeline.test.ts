import { describe, expect, it } from "vitest";
import type { LogEntry } from "../schema.js";
import { healthyTrace, noisyTrace, propagatedErrorTrace, T0 } from "./fixtures.js";
import { buildTimeline, lowerBound } from "./timeline.js";

const entry = (id: string, system: LogEntry["system"], at: number): LogEntry => ({
  id,
  trace_id: "t",
  system,
  level: "log",
  message: id,
  timestamp: T0 + at,
  received_at: T0 + at,
});

describe("buildTimeline", () => {
  it("orders by corrected time with times relative to the first entry", () => {
    const tl = buildTimeline(propagatedErrorTrace());
    expect(tl.entries.map((i) => i.entry.id)).toEqual([
      "b-click",
      "c-called",
      "c-error",
      "b-error",
      "b-toast",
      "b-draft",
    ]);
    expect(tl.entries[0]!.rel_ms).toBe(0);
    expect(tl.start).toBe(tl.entries[0]!.t);
    expect(tl.duration_ms).toBe(tl.entries[5]!.rel_ms);
    expect(tl.duration_ms).toBeGreaterThan(850);
  });

  it("keeps arrival order for equal times (stable)", () => {
    const entries = [
      entry("b", "convex", 5),
      entry("a", "convex", 5),
      entry("c", "worker", 5),
      entry("z", "convex", 1),
    ];
    expect(buildTimeline(entries).entries.map((i) => [i.entry.id, i.seq])).toEqual([
      ["z", 3],
      ["b", 0],
      ["a", 1],
      ["c", 2],
    ]);
  });

  it("draws a hop between systems only where both entries share evidence", () => {
    const tl = buildTimeline(propagatedErrorTrace());
    // The click and "messages:send called" are adjacent but share nothing; the error and its report share
    // the request id.
    expect(tl.hops.map((h) => `${h.from}->${h.to} ${h.from_id}->${h.to_id} ${h.evidence}`)).toEqual([
      'convex->browser c-error->b-error request id "8f3a1b2c4d5e6f70"',
    ]);
    const back = tl.hops[0]!;
    expect(back.gap_ms).toBeGreaterThan(50);
    expect(back.at_ms).toBe(tl.entries[3]!.rel_ms);
  });

  it("finds the idle silence in a busy trace and nothing in an evenly paced one", () => {
    const noisy = buildTimeline(noisyTrace(3000));
    expect(noisy.gaps).toHaveLength(1);
    const gap = noisy.gaps[0]!;
    expect(gap.gap_ms).toBeGreaterThan(7900);
    expect(gap.times_median).toBeGreaterThan(100);
    expect(buildTimeline(healthyTrace()).gaps).toEqual([]);
  });

  it("does not call a gap notable unless it is long in absolute terms and relative to the median", () => {
    const slow = Array.from({ length: 20 }, (_, i) => entry(`e${i}`, "convex", i * 3000 + (i === 10 ? 9000 : 0)));
    // 3 s spacing: a 12 s pause is under 10x the median, so it is not notable.
    expect(buildTimeline(slow).gaps).toEqual([]);
    const fast = Array.from({ length: 20 }, (_, i) => entry(`e${i}`, "convex", i * 10 + (i >= 10 ? 1900 : 0)));
    // 1.9 s pause among 10 ms steps: relative but under the 2 s floor.
    expect(buildTimeline(fast).gaps).toEqual([]);
  });

  it("handles an empty trace", () => {
    expect(buildTimeline([])).toMatchObject({ start: 0, duration_ms: 0, entries: [], hops: [], gaps: [] });
  });

  it("lowerBound finds the first entry at or after a time", () => {
    const tl = buildTimeline([
      entry("a", "convex", 0),
      entry("b", "convex", 10),
      entry("c", "convex", 10),
      entry("d", "convex", 20),
    ]);
    expect(lowerBound(tl.entries, T0 + 10)).toBe(1);
    expect(lowerBound(tl.entries, T0 + 11)).toBe(3);
    expect(lowerBound(tl.entries, T0 + 99)).toBe(4);
  });
});
