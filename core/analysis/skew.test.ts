import { describe, expect, it } from "vitest";
import type { LogEntry } from "../schema.js";
import { propagatedErrorTrace, simulate, skewedBrowserTrace, T0, withoutSentAt } from "./fixtures.js";
import { correctClockSkew } from "./skew.js";

const byId = (entries: LogEntry[], times: Float64Array) => (id: string) =>
  times[entries.findIndex((e) => e.id === id)]!;

describe("correctClockSkew", () => {
  it("measures a browser clock 4.2 s ahead from batch send times and reports it readably", () => {
    const entries = skewedBrowserTrace(4200);
    const { systems } = correctClockSkew(entries);
    const browser = systems.find((s) => s.system === "browser")!;
    expect(browser.method).toBe("sent_at");
    // The estimate includes the smallest network latency (40-100 ms in the fixture).
    expect(browser.skew_ms).toBeGreaterThan(4200 - 110);
    expect(browser.skew_ms).toBeLessThanOrEqual(4200);
    expect(browser.description).toMatch(
      /^browser clock was 4\.[01] s ahead of the server clock \(from 1 batch send time/,
    );
    const convex = systems.find((s) => s.system === "convex")!;
    expect(convex).toMatchObject({ method: "reference", offset_ms: 0, skew_ms: 0 });
  });

  it("restores the true order across systems that raw timestamps get wrong", () => {
    const entries = skewedBrowserTrace(4200);
    const raw = (id: string) => entries.find((e) => e.id === id)!.timestamp;
    expect(raw("b-click")).toBeGreaterThan(raw("c-done")); // the skewed clock puts the click last
    const t = byId(entries, correctClockSkew(entries).times);
    expect(t("b-click")).toBeLessThan(t("c-start"));
    expect(t("c-start")).toBeLessThan(t("c-done"));
    expect(t("c-done")).toBeLessThan(t("b-resolved"));
    // Corrected times sit within the smallest latency of the truth (click at T0).
    expect(t("b-click") - T0).toBeGreaterThanOrEqual(0);
    expect(t("b-click") - T0).toBeLessThan(110);
  });

  it("falls back to arrival times without sent_at, says so, and still orders the error after its cause", () => {
    const entries = withoutSentAt(propagatedErrorTrace());
    const { systems, times } = correctClockSkew(entries);
    const browser = systems.find((s) => s.system === "browser")!;
    expect(browser.method).toBe("received_at");
    expect(browser.description).toContain("estimated from arrival times of 4 entries, no batch send times");
    // Behind by 3 s, minus the queueing the fallback cannot see.
    expect(browser.skew_ms).toBeLessThan(-2000);
    expect(browser.uncertainty_ms).toBeGreaterThan(100);
    const t = byId(entries, times);
    expect(t("c-error")).toBeLessThan(t("b-error"));
  });

  it("never reorders one stream, whatever the latency of each batch", () => {
    const events = Array.from({ length: 40 }, (_, i) => ({
      at: i * 97,
      system: "browser" as const,
      message: `step ${i}`,
    }));
    const latency = (b: number) => [40, 900, 60, 2500, 45][b % 5]!;
    const entries = simulate("t", events, { browser: { skewMs: 7000, flushEveryMs: 500, latencyMs: latency } });
    const { times, streams } = correctClockSkew(entries);
    const order = entries.map((e, i) => ({ ts: e.timestamp, t: times[i]! })).sort((a, b) => a.ts - b.ts);
    for (let k = 1; k < order.length; k++) expect(order[k]!.t).toBeGreaterThan(order[k - 1]!.t);
    expect(streams).toHaveLength(1);
    expect(streams[0]!.offset_ms).toBe(40 - 7000); // the fastest batch
  });

  it("ignores a clock jump far below the other samples", () => {
    const events = Array.from({ length: 30 }, (_, i) => ({
      at: i * 200,
      system: "browser" as const,
      message: `m${i}`,
    }));
    const entries = simulate("t", events, { browser: { skewMs: 1000, flushEveryMs: 1000, latencyMs: 50 } });
    entries[3] = { ...entries[3]!, clock_offset_ms: -120_000 };
    const browser = correctClockSkew(entries).systems[0]!;
    expect(browser.offset_ms).toBe(50 - 1000);
  });

  it("pools sources of one sender but keeps a source on another clock apart", () => {
    const events = [
      ...Array.from({ length: 10 }, (_, i) => ({
        at: i * 300,
        system: "browser" as const,
        source: "fetch",
        message: `f${i}`,
      })),
      { at: 2950, system: "browser" as const, source: "ui", message: "only ui entry" },
    ];
    const shared = simulate("t", events, {
      browser: { skewMs: 2000, flushEveryMs: 1000, latencyMs: (b) => (b === 3 ? 400 : 40) },
    });
    const streams = correctClockSkew(shared).streams;
    expect(new Set(streams.map((s) => s.offset_ms))).toEqual(new Set([40 - 2000]));

    const other: LogEntry = { ...shared[0]!, id: "tab2", source: "tab2", clock_offset_ms: 9000 + 40 };
    const split = correctClockSkew([...shared, other]).streams;
    expect(split.find((s) => s.source === "tab2")!.offset_ms).toBe(9040);
    expect(split.find((s) => s.source === "fetch")!.offset_ms).toBe(40 - 2000);
  });

  it("trusts server clocks within the tolerance and corrects them beyond it", () => {
    const events = [
      { at: 0, system: "convex" as const, message: "a" },
      { at: 100, system: "worker" as const, message: "b" },
    ];
    const small = correctClockSkew(
      simulate("t", events, { convex: { skewMs: -300 }, worker: { skewMs: 0, latencyMs: 900 } }),
    );
    expect(small.systems.every((s) => s.method === "reference" && s.offset_ms === 0)).toBe(true);
    const large = correctClockSkew(simulate("t", events, { convex: { skewMs: -6000, latencyMs: 30 } }));
    const convex = large.systems.find((s) => s.system === "convex")!;
    expect(convex).toMatchObject({ method: "sent_at", offset_ms: 6030 });
    expect(convex.description).toMatch(/convex clock was 6\.0 s behind/);
  });

  it("estimates each trace separately (different users, different clocks)", () => {
    const a = skewedBrowserTrace(4200, "trace-a");
    const b = skewedBrowserTrace(-2500, "trace-b");
    const streams = correctClockSkew([...a, ...b]).streams.filter((s) => s.system === "browser");
    const offsets = Object.fromEntries(streams.map((s) => [s.trace_id, s.offset_ms]));
    expect(offsets["trace-a"]).toBeLessThan(-4000);
    expect(offsets["trace-b"]).toBeGreaterThan(2500);
  });

  describe("request/response pairs", () => {
    const requestId = "req_7Hq2Lx9Ab";
    const exchange = (browser: { skewMs: number; sentAt?: boolean; flushEveryMs?: number }) =>
      simulate(
        "t",
        [
          { at: 5, system: "browser", message: `POST /api/export request_id=${requestId}`, id: "b-request" },
          {
            at: 40,
            system: "worker",
            level: "info",
            message: `POST /api/export request_id=${requestId}`,
            id: "w-start",
          },
          {
            at: 95,
            system: "worker",
            level: "error",
            message: `R2 put failed (request_id=${requestId})`,
            id: "w-error",
          },
          {
            at: 150,
            system: "browser",
            level: "error",
            message: `Export failed: 503 (request_id=${requestId})`,
            id: "b-report",
          },
        ],
        { browser: { latencyMs: 60, ...browser }, worker: { latencyMs: 5 } },
      );

    it("keep a request before the server handled it when arrival times overstate the clock", () => {
      // No send times and a 5 s flush: arrival times put the browser ~4.9 s late.
      const entries = exchange({ skewMs: 3000, sentAt: false, flushEveryMs: 5000 });
      const { times, systems } = correctClockSkew(entries);
      const t = byId(entries, times);
      expect(t("b-request")).toBeLessThan(t("w-start"));
      expect(t("w-error")).toBeLessThan(t("b-report"));
      const browser = systems.find((s) => s.system === "browser")!;
      expect(browser.pairs).toBe(2);
      expect(browser.causal_shift_ms).toBeLessThan(-4000);
      // Bounded from both sides within 90 ms: the estimate sits in the middle, its uncertainty is half the width.
      expect(browser.uncertainty_ms).toBeLessThan(100);
      expect(browser.description).toMatch(/2 request\/response pairs moved it 4\.9 s/);
    });

    it("leave a consistent estimate where it was", () => {
      const entries = exchange({ skewMs: 0, flushEveryMs: 0 });
      const t = byId(entries, correctClockSkew(entries).times);
      expect(t("b-request")).toBeLessThan(t("w-start"));
      expect(t("w-error")).toBeLessThan(t("b-report"));
      // Sent immediately with 60 ms latency: within the latency of the truth.
      expect(Math.abs(t("b-request") - (T0 + 5))).toBeLessThanOrEqual(60);
    });
  });
});
