// The store contract: the same suite against a real redis-server and the embedded engine, both
// through the Upstash REST protocol that production uses, isolated by a random key prefix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.js";
import type { LogEntry } from "../core/schema.js";
import { createRedis, LogStore, type TraceWrite } from "../core/store/log-store.js";
import { errorRef } from "../core/normalize.js";
import { startBackend, type Backend } from "./helpers/backends.js";

const NOW = Date.UTC(2026, 10, 29, 12, 30); // mid-window, so the sliding window weight is 0.5

function entries(traceId: string, n: number, over: Partial<LogEntry> = {}, from = 0): TraceWrite {
  const list = Array.from({ length: n }, (_, i) => {
    const entry: LogEntry = {
      id: `${traceId}-${from + i}`,
      trace_id: traceId,
      system: "browser",
      level: "log",
      message: `entry ${from + i}`,
      timestamp: NOW + i,
      received_at: NOW,
      ...over,
    };
    return { entry, json: JSON.stringify(entry), errorRef: errorRef(entry) };
  });
  return { traceId, entries: list, extraDrops: [] };
}

for (const kind of ["redis", "memory"] as const) {
  describe(`store contract on ${kind}`, () => {
    let backend: Backend;
    const prefix = `t${Math.random().toString(36).slice(2, 8)}:`;
    const makeStore = (env: Record<string, string> = {}) => {
      const config = loadConfig({
        UPSTASH_REDIS_REST_URL: backend.url,
        UPSTASH_REDIS_REST_TOKEN: backend.token,
        KEY_PREFIX: prefix + Math.random().toString(36).slice(2, 6) + ":",
        ...env,
      });
      return { store: new LogStore(createRedis(config), config), config };
    };

    beforeAll(async () => {
      backend = await startBackend(kind);
    });
    afterAll(async () => {
      await backend?.stop();
    });

    it("appends entries under exactly logs:{trace_id} in arrival order, with the TTL", async () => {
      const { store, config } = makeStore({ LOG_TTL_SECONDS: "600" });
      const result = await store.writeTrace(entries("trace-a", 3), NOW);
      expect(result).toMatchObject({ accepted: 3, duplicates: 0 });
      await store.writeTrace(entries("trace-a", 2, {}, 3), NOW);
      // One list element per write: the JSON array of the entries it kept.
      const raw = (await backend.command(["LRANGE", `${config.keyPrefix}logs:trace-a`, "0", "-1"])) as string[];
      expect(raw.map((j) => (JSON.parse(j) as LogEntry[]).map((e) => e.message))).toEqual([
        ["entry 0", "entry 1", "entry 2"],
        ["entry 3", "entry 4"],
      ]);
      const ttl = Number(await backend.command(["TTL", `${config.keyPrefix}logs:trace-a`]));
      expect(ttl).toBeGreaterThan(590);
      expect(ttl).toBeLessThanOrEqual(600);
      const trace = await store.readTrace("trace-a");
      expect(trace?.entries.map((e) => e.id)).toEqual([
        "trace-a-0",
        "trace-a-1",
        "trace-a-2",
        "trace-a-3",
        "trace-a-4",
      ]);
      expect(trace?.summary).toMatchObject({
        count: 5,
        by_system: { browser: 5 },
        by_level: { log: 5 },
        first_seen: NOW,
      });
    });

    it("does not store a resent batch twice", async () => {
      const { store } = makeStore();
      const batch = entries("trace-dup", 4);
      await store.writeTrace(batch, NOW);
      const again = await store.writeTrace(batch, NOW);
      expect(again).toMatchObject({ accepted: 0, duplicates: 4 });
      expect((await store.readTrace("trace-dup"))?.entries).toHaveLength(4);
      const twice = entries("trace-dup-2", 2);
      twice.entries.push(twice.entries[0]!);
      expect(await store.writeTrace(twice, NOW)).toMatchObject({ accepted: 2, duplicates: 1 });
      // A write that keeps only some entries stores those, as one array.
      const partial = entries("trace-dup-2", 3);
      expect(await store.writeTrace(partial, NOW)).toMatchObject({ accepted: 1, duplicates: 2 });
      expect((await store.readTrace("trace-dup-2"))?.entries.map((e) => e.id)).toEqual([
        "trace-dup-2-0",
        "trace-dup-2-1",
        "trace-dup-2-2",
      ]);
    });

    it("enforces the per-trace limit and records the drops with the trace", async () => {
      const { store } = makeStore({ RATE_LIMIT_PER_TRACE_PER_HOUR: "10" });
      const first = await store.writeTrace(entries("trace-rl", 8), NOW);
      const second = await store.writeTrace(entries("trace-rl", 8, {}, 8), NOW);
      expect(first.accepted + second.accepted).toBe(10);
      expect(second.dropped.rate_limit_trace).toBe(6);
      expect(second.retryAfterSeconds).toBeGreaterThan(0);
      const trace = await store.readTrace("trace-rl");
      expect(trace?.entries).toHaveLength(10);
      expect(trace?.summary.dropped).toEqual([{ system: "browser", reason: "rate_limit_trace", count: 6 }]);
    });

    it("never exceeds the per-trace limit under concurrent batches", async () => {
      const { store } = makeStore({ RATE_LIMIT_PER_TRACE_PER_HOUR: "50", RATE_LIMIT_GLOBAL_PER_HOUR: "100000" });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.writeTrace(entries("trace-race", 7, {}, i * 7), NOW)),
      );
      const accepted = results.reduce((n, r) => n + r.accepted, 0);
      const dropped = results.reduce((n, r) => n + r.dropped.rate_limit_trace, 0);
      expect(accepted).toBe(50);
      expect(dropped).toBe(140 - 50);
      expect((await store.readTrace("trace-race"))?.entries).toHaveLength(50);
    });

    it("applies per-system shares of the global quota", async () => {
      const { store } = makeStore({ RATE_LIMIT_GLOBAL_PER_HOUR: "100", RATE_LIMIT_PER_TRACE_PER_HOUR: "1000" });
      const browser = await store.writeTrace(entries("trace-sys-b", 60), NOW);
      const convex = await store.writeTrace(entries("trace-sys-c", 60, { system: "convex" }), NOW);
      const manual = await store.writeTrace(entries("trace-sys-m", 60, { system: "manual" }), NOW);
      expect(browser).toMatchObject({ accepted: 40, dropped: { rate_limit_system: 20 } });
      expect(convex).toMatchObject({ accepted: 30, dropped: { rate_limit_system: 30 } });
      // manual has no share of its own: it takes what is left of the global quota.
      expect(manual).toMatchObject({ accepted: 30, dropped: { rate_limit_global: 30 } });
    });

    it("keeps indexes of recent traces and errors", async () => {
      const { store } = makeStore();
      await store.writeTrace(entries("trace-old", 2), NOW - 5000);
      await store.writeTrace(entries("trace-new", 1, { level: "error", message: "boom", stack: "Error: boom" }), NOW);
      const traces = await store.listTraces(NOW - 60_000);
      expect(traces.map((t) => t.trace_id)).toEqual(["trace-new", "trace-old"]);
      expect(traces[0]).toMatchObject({ count: 1, error_count: 1, last_seen: NOW });
      const errors = await store.listErrorRefs(NOW - 60_000);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ trace_id: "trace-new", message: "boom", stack: "Error: boom" });
      expect(await store.listTraces(NOW - 1000)).toHaveLength(1);
    });

    it("pins a trace beyond the TTL and unpins it", async () => {
      const { store, config } = makeStore({ LOG_TTL_SECONDS: "100", PIN_MAX_SECONDS: "7200" });
      await store.writeTrace(entries("trace-pin", 1), Date.now());
      expect(await store.pinTrace("trace-pin", 99_999)).toBe(7200);
      expect(Number(await backend.command(["TTL", `${config.keyPrefix}logs:trace-pin`]))).toBeGreaterThan(7000);
      expect((await store.readTrace("trace-pin"))?.summary.pinned_until).toBeGreaterThan(Date.now() + 7_000_000);
      expect(await store.pinTrace("trace-pin", 0)).toBe(100);
      expect(await store.pinTrace("trace-missing", 60)).toBeNull();
    });

    it("answers null for an unknown trace and records drops decided before the store", async () => {
      const { store } = makeStore();
      expect(await store.readTrace("nope")).toBeNull();
      const write = entries("trace-extra", 1);
      write.extraDrops.push({ system: "browser", reason: "client_queue_full", count: 7 });
      await store.writeTrace(write, NOW);
      expect((await store.readTrace("trace-extra"))?.summary.dropped).toEqual([
        { system: "browser", reason: "client_queue_full", count: 7 },
      ]);
    });

    it("stores entries byte for byte whatever they hold: tabs, line breaks, unicode, odd user ids", async () => {
      const { store } = makeStore();
      const odd = entries("trace-odd", 3, {}, 0);
      const tricky: Array<Partial<LogEntry>> = [
        { message: "line one\nline\ttwo\r\n\u2028 end", user_id: "user\twith\ttabs" },
        { message: 'ünïcödé 🚀 "quoted" \\ back', user_id: "multi\nline\r\nuser", level: "error", stack: "E\n\tat x" },
        { message: "", context: { nested: { text: "a\tb\nc" } } },
      ];
      odd.entries = odd.entries.map(({ entry }, i) => {
        const e = { ...entry, ...tricky[i] } as LogEntry;
        return { entry: e, json: JSON.stringify(e), errorRef: errorRef(e) };
      });
      expect(await store.writeTrace(odd, NOW)).toMatchObject({ accepted: 3, duplicates: 0 });
      const trace = await store.readTrace("trace-odd");
      expect(trace?.entries).toEqual(odd.entries.map((w) => w.entry));
      // The summary lists users on one line each: tabs and line breaks become spaces there, not in the entries.
      expect(trace?.summary.users.sort()).toEqual(["multi line user", "user with tabs"]);
      expect(trace?.summary).toMatchObject({ count: 3, error_count: 1 });
      const errors = await store.listErrorRefs(NOW - 1000);
      expect(errors.find((e) => e.trace_id === "trace-odd")).toMatchObject({ message: tricky[1]!.message });
    });

    it("writes under a KEY_PREFIX that is not plain in a URL path, still in one command", async () => {
      const { store, config } = makeStore({ KEY_PREFIX: `${prefix}odd prefix/é:` });
      await store.writeTrace(entries("trace-odd-prefix", 1), NOW); // loads the script
      backend.stats.reset();
      expect(await store.writeTrace(entries("trace-odd-prefix", 3, {}, 1), NOW)).toMatchObject({ accepted: 3 });
      expect(backend.stats.commands).toBe(1);
      const raw = (await backend.command([
        "LRANGE",
        `${config.keyPrefix}logs:trace-odd-prefix`,
        "0",
        "-1",
      ])) as string[];
      expect(raw).toHaveLength(2);
      expect((await store.readTrace("trace-odd-prefix"))?.entries).toHaveLength(4);
    });

    it("loads the script again when Redis has forgotten it (SCRIPT FLUSH, a restart)", async () => {
      const { store } = makeStore();
      await store.writeTrace(entries("trace-flush", 2), NOW);
      await backend.command(["SCRIPT", "FLUSH"]);
      expect(await store.writeTrace(entries("trace-flush", 2, {}, 2), NOW)).toMatchObject({ accepted: 2 });
      expect((await store.readTrace("trace-flush"))?.entries).toHaveLength(4);
    });

    it("costs one Redis command per trace write", async () => {
      const { store } = makeStore();
      await store.writeTrace(entries("trace-cost", 1), NOW); // loads the script
      backend.stats.reset();
      for (const size of [1, 20, 100]) await store.writeTrace(entries(`trace-cost-${size}`, size), NOW);
      expect(backend.stats.commands).toBe(3);
    });
  });
}
