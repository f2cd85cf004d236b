import { describe, expect, it } from "vitest";
import type { LogEntry, TraceSummary } from "../schema.js";
import { correlateTrace } from "./correlate.js";
import {
  healthyTrace,
  noisyTrace,
  propagatedErrorTrace,
  REQUEST_ID,
  retryStormTrace,
  simulate,
  T0,
} from "./fixtures.js";
import { CHAINS_MAX, CORRELATE_GAPS_MAX, CORRELATE_HOPS_MAX, CORRELATE_TIMELINE_MAX } from "./limits.js";

const summaryOf = (traceId: string, extra: Partial<TraceSummary> = {}): TraceSummary => ({
  trace_id: traceId,
  first_seen: T0,
  last_seen: T0 + 1000,
  count: 6,
  error_count: 2,
  by_system: {},
  by_level: {},
  users: [],
  dropped: [],
  ...extra,
});

describe("correlateTrace", () => {
  it("finds the convex error the browser reports, with the evidence that ties them", () => {
    const c = correlateTrace(propagatedErrorTrace());
    expect(c.trace_id).toBe("trace-propagated");
    const root = c.root_cause!;
    expect(root).toMatchObject({
      id: "c-error",
      system: "convex",
      level: "error",
      source: "messages:send",
      anchor_id: "b-toast",
      anchor_user_visible: true,
      confidence: "high",
      app_frame: "at handler (../convex/messages.ts:14:11)",
      message: "Uncaught Error: Message too long (2412 > 2000 characters)",
    });
    // The top of the stack as stored, library frames included.
    expect(root.stack_top).toEqual([
      "at handler (../convex/messages.ts:14:11)",
      "at invokeMutation (../node_modules/convex/dist/esm/server/impl/registration_impl.js:33:14)",
    ]);
    expect(root.path.map((p) => `${p.from_id}>${p.to_id} ${p.strength}`)).toEqual([
      "c-error>b-error strong",
      "b-error>b-toast weak",
    ]);
    expect(root.path[0]!.evidence).toContain(`request id "${REQUEST_ID}"`);
    expect(root.path[0]!.evidence).toContain('message text "error: message too long (2412 > 2000 characters)"');
    const evidence = root.evidence.join("\n");
    expect(evidence).toContain(
      'the user saw: browser warn at +0.195s "Send failed, showing toast to the user" [b-toast]',
    );
    expect(root.confidence_reason).toBe("an id, a URL or message text shared at every step");
    expect(evidence).toContain('preceded by convex info at +0.093s "messages:send called" [c-called]');
    expect(evidence).toMatch(/1 request\/response pair moved it \d+ ms/);
    expect(root.alternatives.map((a) => a.id)).toEqual(["b-error", "b-toast"]);
    expect(root.alternatives[0]!.why_not).toMatch(/^on the chain after the root cause/);

    expect(c.error_chains).toHaveLength(1);
    const chain = c.error_chains[0]!;
    expect(chain).toMatchObject({
      errors: ["c-error", "b-error", "b-toast"],
      error_count: 3,
      root_id: "c-error",
      role: "main",
    });
    expect(chain.systems).toEqual(["convex", "browser"]);
    expect(chain.propagation).toEqual(["convex -> browser"]);
    expect(chain.evidence[0]).toMatch(/^convex error \[c-error\] at \+0\.\d+s -> browser error \[b-error\]/);
    // The failures carry their whole message; the root cause comes first.
    expect(c.failures.map((f) => [f.id, f.role])).toEqual([
      ["c-error", "root cause"],
      ["b-toast", "user saw"],
      ["b-error", "on the path"],
    ]);
    expect(c.failures[2]!.message).toContain("\n\n  Called by client");

    expect(c.summary).toMatch(/^Trace trace-propagated: 6 entries from browser, convex over 900 ms\./);
    expect(c.summary).toContain("Likely root cause (high confidence): convex error at");
    expect(c.summary).toContain("[c-error], which led to [b-toast] the user saw");
    expect(c.summary).toContain('Start at "at handler (../convex/messages.ts:14:11)"');
    expect(c.summary).toMatch(/Times are corrected for clock skew: browser 3\.\d s behind\./);
    expect(c.warnings).toEqual([]);
  });

  it("orders a browser report after the server error with its request id, whatever the clock estimate", () => {
    // Raw times put the browser error 30 ms before the convex error it reports; the shared request id
    // makes it a response, so corrected time puts it after its cause.
    const entries: LogEntry[] = [
      {
        id: "b",
        trace_id: "t",
        system: "browser",
        level: "error",
        message: `Server Error [Request ID: ${REQUEST_ID}]`,
        timestamp: T0 + 70,
        received_at: T0 + 200,
        clock_offset_ms: 0,
      },
      {
        id: "c",
        trace_id: "t",
        system: "convex",
        level: "error",
        message: "Uncaught Error: boom",
        context: { request_id: REQUEST_ID },
        timestamp: T0 + 100,
        received_at: T0 + 150,
      },
    ];
    const c = correlateTrace(entries);
    expect(c.timeline.map((l) => l.id)).toEqual(["c", "b"]);
    expect(c.root_cause!.id).toBe("c");
    expect(c.skew.find((s) => s.system === "browser")).toMatchObject({ pairs: 1 });
    expect(c.root_cause!.path[0]!.evidence).toContain(`request id "${REQUEST_ID}"`);
  });

  it("names the retry storm and roots it at the first upstream timeout", () => {
    const c = correlateTrace(retryStormTrace(6));
    expect(c.root_cause).toMatchObject({ id: "w-timeout-1", system: "worker" });
    const [storm] = c.retry_storms;
    expect(storm).toMatchObject({
      kind: "retry",
      system: "browser",
      level: "warn",
      count: 6,
      first_id: "b-retry-1",
      last_id: "b-retry-6",
      before_id: "b-gave-up",
    });
    expect(c.retry_storms.some((s) => s.kind === "repeat" && s.system === "worker" && s.count === 6)).toBe(true);
    expect(c.root_cause!.evidence.join("\n")).toMatch(
      /retry storm: browser warn "POST \/api\/summarize failed with status 504, retrying \(attempt 1\/6\)" repeated 6 times/,
    );
    expect(c.summary).toContain("Retry storm: browser warn");
    const chain = c.error_chains[0]!;
    expect(chain.error_count).toBe(13);
    // Each timeout reaches the browser, and each browser retry sends the next request.
    expect(chain.propagation).toEqual(["worker -> browser", "browser -> worker"]);
    expect(c.root_cause!.confidence).toBe("low");
    expect(c.root_cause!.path[0]).toMatchObject({ from_id: "w-timeout-1" });
    const crossing = c.root_cause!.path.find((p) => p.from === "worker" && p.to === "browser")!;
    expect(crossing.strength).toBe("weak");
    expect(crossing.evidence).toMatch(/both are timeout failures/);
    expect(chain.evidence.join("\n")).toContain("repeated 6 times in this chain");
  });

  it("says a trace without failures is healthy", () => {
    const c = correlateTrace(healthyTrace(), summaryOf("trace-healthy", { count: 11 }));
    expect(c.root_cause).toBeNull();
    expect(c.error_chains).toEqual([]);
    expect(c.retry_storms).toEqual([]);
    expect(c.warnings).toEqual([]);
    expect(c.summary).toContain("No errors or failure warnings: the trace looks healthy.");
    // The slow-render warning is named and judged.
    expect(c.benign).toEqual([
      expect.objectContaining({
        message: "slow render: MessageList took 48ms",
        reason: "a warning no failure the user saw is tied to",
      }),
    ]);
    expect(c.stats).toMatchObject({ entries: 11, failures: 0, chains_total: 0 });
  });

  it("keeps a warning that only precedes the crash as an alternative, not the root cause", () => {
    const entries = simulate("t", [
      { at: 0, system: "browser", message: "load profile" },
      { at: 10, system: "browser", level: "warn", message: "GET /api/profile failed: network error", id: "first" },
      {
        at: 30,
        system: "browser",
        level: "error",
        message: "TypeError: Cannot read properties of undefined (reading 'name')",
        id: "second",
      },
    ]);
    const c = correlateTrace(entries);
    // Only "consecutive failures" ties the two: a warning that weakly linked is no cause.
    expect(c.root_cause!.id).toBe("second");
    expect(c.error_chains[0]!.errors).toEqual(["first", "second"]);
    expect(c.root_cause!.confidence).toBe("high");
  });

  it("warns when entries were dropped, missing or cut, and says so in the summary", () => {
    const entries = propagatedErrorTrace().map((e) =>
      e.id === "b-error" ? { ...e, truncated: ["message", "stack"] } : e,
    );
    const summary = summaryOf("trace-propagated", {
      count: 50,
      dropped: [
        { system: "browser", reason: "rate_limit_trace", count: 30 },
        { system: "browser", reason: "rate_limit_trace", count: 7 },
        { system: "convex", reason: "rate_limit_global", count: 0 },
      ],
    });
    const c = correlateTrace(entries, summary);
    expect(c.warnings).toEqual([
      '37 browser entries dropped by "rate_limit_trace": the trace is incomplete',
      "the trace summary counts 50 entries but 6 were read: the rest expired or were trimmed",
      "1 entry had fields cut to fit the limits (message: 1, stack: 1): their full text was not stored",
    ]);
    expect(c.summary).toContain('Caveats: 37 browser entries dropped by "rate_limit_trace"');
    // A bounded read names what it left out itself: the missing entries did not expire.
    const part = correlateTrace(entries, summary, false);
    expect(part.warnings.some((w) => w.includes("expired or were trimmed"))).toBe(false);
    expect(part.warnings).toContain('37 browser entries dropped by "rate_limit_trace": the trace is incomplete');
  });

  it("warns when a clock could only be estimated loosely", () => {
    const events = Array.from({ length: 20 }, (_, i) => ({
      at: i * 250,
      system: "browser" as const,
      message: `tick ${i}`,
    }));
    const entries = simulate("t", events, { browser: { sentAt: false, flushEveryMs: 5000, skewMs: 800 } });
    expect(correlateTrace(entries).warnings.join("\n")).toMatch(
      /the browser clock offset is estimated from arrival times \(no batch send times\), ±\d\.\d s/,
    );
  });

  it("keeps the report bounded on a noisy trace and still finds the recurring failure", () => {
    const c = correlateTrace(noisyTrace(5000));
    expect(c.stats.entries).toBe(5000);
    expect(c.timeline.length).toBeLessThanOrEqual(CORRELATE_TIMELINE_MAX);
    expect(c.hops.length).toBeLessThanOrEqual(CORRELATE_HOPS_MAX);
    expect(c.gaps.length).toBeLessThanOrEqual(CORRELATE_GAPS_MAX);
    expect(c.error_chains.length).toBeLessThanOrEqual(CHAINS_MAX);
    expect(c.stats.hops_total).toBeGreaterThan(5);
    expect(c.hops.every((h) => h.evidence.length > 0)).toBe(true);
    expect(c.gaps.some((g) => g.gap_ms > 7900)).toBe(true);
    // The trace ends with a browser TypeError nothing ties to the recurring convex failure: it is the root
    // cause, and the convex chain is listed as a chain the user moved past.
    expect(c.root_cause!.system).toBe("browser");
    expect(c.root_cause!.message).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'author'\)/);
    expect(c.error_chains.some((ch) => ch.role === "moved_past" && ch.systems.includes("convex"))).toBe(true);
    expect(c.retry_storms[0]).toMatchObject({ kind: "repeat", system: "convex" });
    // Every failure in the selected timeline is flagged, and the selection is in time order.
    const rel = c.timeline.map((l) => l.rel_ms);
    expect(rel).toEqual([...rel].sort((a, b) => a - b));
    expect(c.timeline.filter((l) => l.failure).length).toBeGreaterThan(10);
    expect(c.failures.length).toBeGreaterThan(1);
    expect(JSON.stringify(c).length).toBeLessThan(40_000);
  });

  it("returns an empty, explicit report for no entries", () => {
    const c = correlateTrace([], summaryOf("gone", { count: 0 }));
    expect(c).toMatchObject({ trace_id: "gone", root_cause: null, timeline: [], error_chains: [] });
    expect(c.warnings).toEqual(["no entries were read for this trace (it may have expired or never existed)"]);
  });
});
