import { describe, expect, it } from "vitest";
import { InputError } from "./errors.js";
import { MAX_ENTRIES_PER_BATCH, MAX_MESSAGE_CHARS, TRUNCATION_MARKER } from "./limits.js";
import { errorRef, normalizeBatch, parseTraceparent } from "./normalize.js";

const ctx = { receivedAt: 1_700_000_010_000, defaultSystem: "manual" as const };
const entry = (over: Record<string, unknown> = {}) => ({
  trace_id: "t1",
  message: "hello",
  timestamp: 1_700_000_000_000,
  ...over,
});

describe("normalizeBatch", () => {
  it("accepts a single entry, an array and an envelope", () => {
    expect(normalizeBatch(entry(), ctx).entries).toHaveLength(1);
    expect(normalizeBatch([entry(), entry()], ctx).entries).toHaveLength(2);
    const env = normalizeBatch({ sent_at: 1_700_000_008_000, entries: [entry()] }, ctx);
    expect(env.entries[0]).toMatchObject({
      clock_offset_ms: 2000,
      received_at: ctx.receivedAt,
      system: "manual",
      level: "log",
    });
  });

  it("reports invalid entries with index, field and problem, keeping the valid ones", () => {
    const out = normalizeBatch(
      [entry(), { trace_id: "t1" }, entry({ level: "fatal" }), entry({ trace_id: "a b" })],
      ctx,
    );
    expect(out.entries).toHaveLength(1);
    expect(out.problems.map((p) => [p.index, p.field])).toEqual([
      [1, "message"],
      [2, "level"],
      [3, "trace_id"],
    ]);
    expect(out.problems[2]!.problem).toMatch(/letters, digits/);
  });

  it("never lets a trace id address another key", () => {
    for (const bad of ["x}", "logs:*", "a/b", "", "x".repeat(129), "a\nb"]) {
      expect(normalizeBatch([entry({ trace_id: bad })], ctx).entries).toHaveLength(0);
    }
  });

  it("takes trace and span from traceparent when the entry has no trace id", () => {
    const tp = parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")!;
    const out = normalizeBatch([{ message: "m" }], { ...ctx, traceparent: tp });
    expect(out.entries[0]).toMatchObject({ trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7" });
    expect(normalizeBatch([{ message: "m" }], ctx).problems[0]).toMatchObject({ field: "trace_id" });
    expect(parseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).toBeUndefined();
    expect(parseTraceparent("garbage")).toBeUndefined();
  });

  it("truncates oversized fields with a visible marker", () => {
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 10; i++) cur = cur.next = {} as Record<string, unknown>;
    const out = normalizeBatch([entry({ message: "x".repeat(MAX_MESSAGE_CHARS + 10), context: { deep } })], ctx)
      .entries[0]!;
    expect(out.message.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(out.message.length).toBe(MAX_MESSAGE_CHARS + TRUNCATION_MARKER.length);
    expect(JSON.stringify(out.context)).toContain("[depth limit]");
    expect(out.truncated).toEqual(["message", "context"]);
  });

  it("redacts secrets in message, stack, context and url", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    const out = normalizeBatch(
      [
        entry({
          message: `token ${jwt}`,
          stack: "at x (Bearer abcdefghijkl)",
          context: { password: "hunter2", nested: { card: "4111 1111 1111 1111" } },
          url: "https://x.test/?token=abc123&q=1",
        }),
      ],
      ctx,
    ).entries[0]!;
    const stored = JSON.stringify(out);
    for (const secret of [jwt, "hunter2", "abcdefghijkl", "4111 1111 1111 1111", "abc123"])
      expect(stored).not.toContain(secret);
    expect(out.url).toBe("https://x.test/?token=[REDACTED]&q=1");
  });

  it("derives entry ids from batch_id so retries are idempotent", () => {
    const body = { batch_id: "b-1", entries: [entry(), entry()] };
    const a = normalizeBatch(body, ctx).entries.map((e) => e.id);
    expect(a).toEqual(["b-1.0", "b-1.1"]);
    expect(normalizeBatch(body, ctx).entries.map((e) => e.id)).toEqual(a);
  });

  it("caps entries per batch and counts the rest as dropped", () => {
    const out = normalizeBatch(
      Array.from({ length: MAX_ENTRIES_PER_BATCH + 3 }, () => entry()),
      ctx,
    );
    expect(out.entries).toHaveLength(MAX_ENTRIES_PER_BATCH);
    expect(out.dropped).toEqual({ batch_limit: 3 });
  });

  it("rejects bodies that are not entries", () => {
    expect(() => normalizeBatch("hi", ctx)).toThrow(InputError);
    expect(() => normalizeBatch([], ctx)).toThrow(/no entries/);
    expect(() => normalizeBatch({ entries: "x" }, ctx)).toThrow(/envelope/);
  });

  it("keeps a capped reference for errors only", () => {
    const [err, info] = normalizeBatch(
      [entry({ level: "error", message: "boom", stack: "s".repeat(5000) }), entry()],
      ctx,
    ).entries;
    const ref = JSON.parse(errorRef(err!));
    expect(ref).toMatchObject({ trace_id: "t1", level: "error", message: "boom" });
    expect(ref.stack.length).toBe(1200);
    expect(errorRef(info!)).toBe("");
  });
});
