// Large traces complete and stay bounded. Timing is measured by the benchmarks, not asserted here.
import { describe, expect, it } from "vitest";
import { correlateTrace } from "./correlate.js";
import { noisyTrace, simulate, type FixtureEvent } from "./fixtures.js";
import { CHAINS_MAX, CORRELATE_TIMELINE_MAX } from "./limits.js";

describe("correlateTrace at scale", () => {
  it("handles a 50k-entry noisy trace with bounded output", () => {
    const entries = noisyTrace(50_000);
    expect(entries).toHaveLength(50_000);
    const c = correlateTrace(entries);
    expect(c.stats.entries).toBe(50_000);
    expect(c.timeline.length).toBeLessThanOrEqual(CORRELATE_TIMELINE_MAX);
    // The trace ends with a browser TypeError that nothing ties to the recurring convex failure.
    expect(c.root_cause?.system).toBe("browser");
    expect(c.error_chains.some((ch) => ch.role === "moved_past" && ch.systems.includes("convex"))).toBe(true);
    expect(JSON.stringify(c).length).toBeLessThan(60_000);
  });

  it("caps the failures it links when every entry is an error", () => {
    const events: FixtureEvent[] = Array.from({ length: 50_000 }, (_, i) => ({
      at: i * 3,
      system: i % 2 ? "browser" : "convex",
      level: "error",
      message: `Uncaught Error: failed to save doc k${i.toString(36)}x9 request_id=${i}abc`,
    }));
    const c = correlateTrace(simulate("storm", events, { browser: { skewMs: 1000, flushEveryMs: 1000 } }));
    expect(c.stats.failures).toBe(50_000);
    expect(c.warnings).toContain("only the earliest 10,000 of 50,000 failures were linked into chains");
    expect(c.error_chains.length).toBeLessThanOrEqual(CHAINS_MAX);
    expect(c.error_chains[0]!.errors.length).toBeLessThanOrEqual(25);
    expect(JSON.stringify(c).length).toBeLessThan(60_000);
    // 50,000 errors, each with a request id and an entity id: a worst case for the evidence passes. The
    // benchmarks time it; the limit here only keeps a loaded machine from failing the run.
  }, 30_000);
});
