// The tail mapping on its own, over trace items shaped as the runtime delivers them.
import { describe, expect, it } from "vitest";
import { mapTailEvents } from "./tail.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const item = (over: Record<string, unknown> = {}) => ({
  scriptName: "email-worker",
  outcome: "ok",
  eventTimestamp: 1_700_000_000_000,
  cpuTime: 2,
  wallTime: 9,
  truncated: false,
  logs: [],
  exceptions: [],
  event: {
    request: {
      url: "https://mail.example.com/send?x=1",
      method: "POST",
      headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01`, "CF-Ray": "8a1b2c3d4e5f-DFW" },
    },
    response: { status: 200 },
  },
  ...over,
});

describe("mapTailEvents", () => {
  it("maps console calls, exceptions and a failed outcome under the traceparent's trace", () => {
    const { entries } = mapTailEvents([
      item({
        outcome: "exception",
        event: { request: item().event.request },
        logs: [
          { level: "log", timestamp: 1_700_000_000_001, message: ["sending", { to: "a@b.c" }, 3] },
          { level: "weird", timestamp: 1_700_000_000_002, message: ["odd level"] },
        ],
        exceptions: [
          { name: "TypeError", message: "x is undefined", stack: "    at f (w.js:1:1)", timestamp: 1_700_000_000_003 },
        ],
      }),
    ]);
    const shared = {
      trace_id: TRACE,
      span_id: "00f067aa0ba902b7",
      system: "worker",
      source: "email-worker",
      url: "https://mail.example.com/send?x=1",
    };
    expect(entries).toEqual([
      { ...shared, level: "log", message: 'sending {"to":"a@b.c"} 3', timestamp: 1_700_000_000_001 },
      { ...shared, level: "log", message: "odd level", timestamp: 1_700_000_000_002 },
      {
        ...shared,
        level: "error",
        message: "TypeError: x is undefined",
        stack: "    at f (w.js:1:1)",
        timestamp: 1_700_000_000_003,
      },
      {
        ...shared,
        level: "error",
        message: "email-worker: POST /send (outcome exception)",
        timestamp: 1_700_000_000_009, // the end: eventTimestamp + wallTime, after the last log
        context: { outcome: "exception", cpu_time_ms: 2, wall_time_ms: 9 },
      },
    ]);
  });

  it("records a traced success, and nothing for an untraced one with no logs", () => {
    expect(mapTailEvents([item()]).entries.map((e) => [e.level, e.message])).toEqual([
      ["info", "email-worker: POST /send -> 200 (outcome ok)"],
    ]);
    const untraced = item({ event: { request: { url: "https://x/", headers: {} }, response: { status: 200 } } });
    expect(mapTailEvents([untraced]).entries).toEqual([]);
  });

  it("takes X-Trace-Id, else derives a trace from the script, time and CF-Ray", () => {
    const named = item({ event: { request: { url: "https://x/", headers: { "X-Trace-Id": "order-7" } } } });
    expect(mapTailEvents([named]).entries[0]).toMatchObject({ trace_id: "order-7" });
    expect(mapTailEvents([named]).entries[0]).not.toHaveProperty("span_id");
    const rayOnly = item({
      outcome: "exceededCpu",
      event: { request: { url: "https://x/", headers: { "cf-ray": "8a1b-DFW" } } },
    });
    const [entry] = mapTailEvents([rayOnly]).entries;
    expect(entry).toMatchObject({
      trace_id: `email-worker-${(1_700_000_000_000).toString(36)}-8a1bDFW`,
      level: "error",
    });
    const scheduled = item({ scriptName: null, outcome: "canceled", event: { cron: "*/5 * * * *" } });
    expect(mapTailEvents([scheduled], () => "fixed-id").entries[0]).toMatchObject({
      trace_id: `worker-${(1_700_000_000_000).toString(36)}-fixedid`,
      message: "worker: cron */5 * * * * (outcome canceled)",
    });
  });

  it("skips what is not a trace item", () => {
    expect(mapTailEvents([null, 3, { logs: "no" }])).toEqual({ entries: [], skipped: 3 });
  });
});

describe("lenient reading", () => {
  it("keeps an item whose optional fields are null", () => {
    const odd = item({ logs: [{ level: null, timestamp: null, message: ["still here"] }], exceptions: null });
    expect(mapTailEvents([odd]).entries.map((e) => [e.level, e.message, e.timestamp])).toEqual([
      ["log", "still here", 1_700_000_000_000],
      ["info", "email-worker: POST /send -> 200 (outcome ok)", 1_700_000_000_009],
    ]);
  });
});
