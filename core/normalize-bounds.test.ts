import { describe, expect, it } from "vitest";
import {
  MAX_CLIENT_DROP_REASONS,
  MAX_CONTEXT_KEYS,
  MAX_DROP_REASON_CHARS,
  MAX_MESSAGE_CHARS,
  MAX_TRACES_PER_REQUEST,
  TRUNCATION_MARKER,
} from "./limits.js";
import { normalizeBatch } from "./normalize.js";
import { REDACTED } from "./redact.js";

const ctx = { receivedAt: 1_700_000_010_000, defaultSystem: "manual" as const };

describe("normalisation of hostile input", () => {
  it("redacts a secret that crosses the message cap, and never reads far past it", () => {
    const secret = "sk_live_51HxABCDEFGHIJKLMNOPqrstu";
    const message = "x ".repeat((MAX_MESSAGE_CHARS - 10) / 2) + `key ${secret} ` + "y".repeat(1_000_000);
    const [entry] = normalizeBatch([{ trace_id: "t", message }], ctx).entries;
    expect(entry!.message).not.toContain("sk_live_51HxABC");
    expect(entry!.message.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(entry!.truncated).toEqual(["message"]);
  });

  it("gives entries without an id the same id for the same body, and different ids for different bodies", () => {
    const body = [
      { trace_id: "t", message: "a" },
      { trace_id: "t", message: "a" },
    ];
    const ids = (b: unknown, raw?: string) => normalizeBatch(b, { ...ctx, rawBody: raw }).entries.map((e) => e.id);
    const first = ids(body, JSON.stringify(body));
    expect(first[0]).not.toBe(first[1]);
    expect(ids(body, JSON.stringify(body))).toEqual(first);
    expect(ids([{ trace_id: "t", message: "b" }], '[{"trace_id":"t","message":"b"}]')[0]).not.toBe(first[0]);
    expect(ids({ batch_id: "b-1", entries: body })).toEqual(["b-1.0", "b-1.1"]);
  });

  it("stores writes admitted by Origin as browser, whatever they claim", () => {
    const out = normalizeBatch([{ trace_id: "t", system: "convex", message: "m" }], {
      ...ctx,
      forcedSystem: "browser",
    });
    expect(out.entries[0]!.system).toBe("browser");
  });

  it(`refuses entries of more than ${MAX_TRACES_PER_REQUEST} traces, one detail each`, () => {
    const out = normalizeBatch(
      Array.from({ length: 20 }, (_, i) => ({ trace_id: `t${i}`, message: "m" })),
      ctx,
    );
    expect(new Set(out.entries.map((e) => e.trace_id)).size).toBe(MAX_TRACES_PER_REQUEST);
    expect(out.overTraceLimit).toBe(20 - MAX_TRACES_PER_REQUEST);
    expect(out.problems.map((p) => p.index)).toEqual(Array.from({ length: 12 }, (_, i) => i + 8));
  });

  it("bounds client drop reasons: count, characters, secrets and counts", () => {
    const reported: Record<string, number> = { "queue full!": 2, [`sk_live_${"a".repeat(20)}`]: 1, big: 1e300 };
    for (let i = 0; i < 50; i++) reported[`r${i}_${"x".repeat(100)}`] = 1;
    const { clientDropped } = normalizeBatch(
      { entries: [{ trace_id: "t", message: "m" }], client_dropped: reported },
      ctx,
    );
    const reasons = Object.keys(clientDropped);
    expect(reasons.length).toBeLessThanOrEqual(MAX_CLIENT_DROP_REASONS);
    expect(clientDropped.queue_full_).toBe(2);
    expect(reasons.join()).not.toContain("sk_live");
    expect(Math.max(...Object.values(clientDropped))).toBeLessThanOrEqual(1_000_000);
    // Whole under the store's reason limit once prefixed with client_.
    for (const reason of reasons) expect(`client_${reason}`.length).toBeLessThanOrEqual(MAX_DROP_REASON_CHARS);
    for (const reason of reasons) expect(reason).toMatch(/^[A-Za-z0-9_]+$/);
  });

  it("cuts deep and wide contexts before walking them, redacting what is kept", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 150_000; i++) deep = { a: deep };
    const wide = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    const [a, b] = normalizeBatch(
      [
        { trace_id: "t", message: "deep", context: { deep, password: "hunter2" } },
        { trace_id: "t", message: "wide", context: wide },
      ],
      ctx,
    ).entries;
    expect(JSON.stringify(a!.context)).toContain("[depth limit]");
    expect(a!.context!.password).toBe(REDACTED);
    expect(Object.keys(b!.context!).length).toBeLessThanOrEqual(MAX_CONTEXT_KEYS);
    expect(b!.truncated).toContain("context");
  });

  it("refuses ids shaped like credentials, and times past 2100", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    const out = normalizeBatch(
      [
        { trace_id: jwt, message: "m" },
        { trace_id: "t", message: "m", timestamp: 1e300 },
      ],
      ctx,
    );
    expect(out.entries).toHaveLength(0);
    expect(out.problems.map((p) => p.field)).toEqual(["trace_id", "timestamp"]);
  });
});
