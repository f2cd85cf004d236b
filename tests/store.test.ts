// The store contract: the same suite against a real redis-server and the embedded engine, both
// through the Upstash REST protocol that production uses (in its strict mode, with Upstash's limits),
// isolated by a random key prefix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.js";
import type { LogEntry } from "../core/schema.js";
import { createRedis, LogStore, type TraceWrite } from "../core/store/log-store.js";
import { traceKeys } from "../core/store/keys.js";
import { errorRef } from "../core/normalize.js";
import { startBackend, type Backend } from "./helpers/backends.js";
import { readRawList } from "./helpers/raw-list.js";

const NOW = Date.UTC(2026, 10, 29, 12, 30); // mid-window, so the sliding window weight is 0.5

function entries(traceId: string, n: number, over: Partial<LogEntry> = {}, from = 0): TraceWrite {
  const list = Array.from({ length: n }, (_, i) => {
    const entry: LogEntry = {
      id: `${traceId}-${from + i}`,
      trace_id: traceId,
      system: "browser",
      level: "log",
      message: `entry ${from + i}`,
      timestamp: NOW + from + i,
      received_at: NOW,
      ...over,
    };
    return { entry, json: JSON.stringify(entry), errorRef: errorRef(entry) };
  });
  return { traceId, entries: list, extraDrops: [] };
}

/** Several writes' entries as one write, in order. */
function joined(traceId: string, ...writes: TraceWrite[]): TraceWrite {
  return { traceId, entries: writes.flatMap((w) => w.entries), extraDrops: [] };
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
    /** TTL of every key of a trace: none may be -1 (a key that never expires). */
    const ttls = async (keyPrefix: string, traceId: string) => {
      const keys = traceKeys(keyPrefix, traceId);
      const out: Record<string, number> = {};
      for (const [name, key] of Object.entries(keys)) out[name] = Number(await backend.command(["TTL", key]));
      return out;
    };

    beforeAll(async () => {
      backend = await startBackend(kind);
    });
    afterAll(async () => {
      await backend?.stop();
    });

    it("stores one JSON entry per list element under exactly logs:{trace_id}, in arrival order, with the TTL", async () => {
      const { store, config } = makeStore({ LOG_TTL_SECONDS: "600" });
      const result = await store.writeTrace(entries("trace-a", 3), NOW);
      expect(result).toMatchObject({ accepted: 3, duplicates: 0 });
      await store.writeTrace(entries("trace-a", 2, {}, 3), NOW);
      // LRANGE logs:{id} 0 -1 returns the entries themselves, as the seed's readers expect.
      const raw = await readRawList(backend.command, config.keyPrefix, "trace-a");
      expect(raw.elements.map((j) => (JSON.parse(j) as LogEntry).message)).toEqual([
        "entry 0",
        "entry 1",
        "entry 2",
        "entry 3",
        "entry 4",
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
      expect(trace?.coverage).toMatchObject({ complete: true, elements: 5, read: 5 });
      expect(trace?.summary).toMatchObject({
        count: 5,
        by_system: { browser: 5 },
        by_level: { log: 5 },
        first_seen: NOW,
      });
    });

    it("still reads a trace stored in the previous shape (one JSON array per write) until its TTL", async () => {
      const { store, config } = makeStore();
      const keys = traceKeys(config.keyPrefix, "trace-old-shape");
      const a = entries("trace-old-shape", 3).entries.map((e) => e.entry);
      const b = entries("trace-old-shape", 2, {}, 3).entries.map((e) => e.entry);
      await backend.command(["RPUSH", keys.list, JSON.stringify(a), JSON.stringify(b)]);
      await backend.command(["HSET", keys.meta, "count", "5", "first_seen", String(NOW), "last_seen", String(NOW)]);
      for (const key of [keys.list, keys.meta]) await backend.command(["EXPIRE", key, "600"]);
      const trace = await store.readTrace("trace-old-shape");
      expect(trace?.entries.map((e) => e.message)).toEqual(["entry 0", "entry 1", "entry 2", "entry 3", "entry 4"]);
      expect(trace?.coverage.complete).toBe(true);
      // A new write appends entries one per element after the old arrays.
      expect(await store.writeTrace(entries("trace-old-shape", 1, {}, 5), NOW)).toMatchObject({ accepted: 1 });
      expect((await store.readTrace("trace-old-shape"))?.entries).toHaveLength(6);
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
      const partial = entries("trace-dup-2", 3);
      expect(await store.writeTrace(partial, NOW)).toMatchObject({ accepted: 1, duplicates: 2 });
      expect((await store.readTrace("trace-dup-2"))?.entries.map((e) => e.id)).toEqual([
        "trace-dup-2-0",
        "trace-dup-2-1",
        "trace-dup-2-2",
      ]);
    });

    it("enforces the per-trace limit, 80% of it for entries below warn, and records the drops with the trace", async () => {
      const { store } = makeStore({ RATE_LIMIT_PER_TRACE_PER_HOUR: "10" });
      const first = await store.writeTrace(entries("trace-rl", 8), NOW);
      const second = await store.writeTrace(entries("trace-rl", 8, {}, 8), NOW);
      expect(first.accepted + second.accepted).toBe(8);
      expect(second.dropped.rate_limit_trace).toBe(8);
      expect(second.retryAfterSeconds).toBeGreaterThan(0);
      // The reserved 20% is for warnings and errors.
      const third = await store.writeTrace(entries("trace-rl", 3, { level: "warn" }, 16), NOW);
      expect(third).toMatchObject({ accepted: 2, dropped: { rate_limit_trace: 1 } });
      const trace = await store.readTrace("trace-rl");
      expect(trace?.entries).toHaveLength(10);
      expect(trace?.summary.dropped).toEqual([{ system: "browser", reason: "rate_limit_trace", count: 9 }]);
    });

    it("never exceeds the per-trace limit under concurrent batches", async () => {
      const { store } = makeStore({ RATE_LIMIT_PER_TRACE_PER_HOUR: "50", RATE_LIMIT_GLOBAL_PER_HOUR: "100000" });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.writeTrace(entries("trace-race", 7, {}, i * 7), NOW)),
      );
      const accepted = results.reduce((n, r) => n + r.accepted, 0);
      const dropped = results.reduce((n, r) => n + r.dropped.rate_limit_trace, 0);
      expect(accepted).toBe(40);
      expect(dropped).toBe(140 - 40);
      expect((await store.readTrace("trace-race"))?.entries).toHaveLength(40);
    });

    it("keeps the TypeError after 260 render logs of a browser trace (the seed's default limit of 100)", async () => {
      const { store } = makeStore();
      for (let i = 0; i < 13; i++)
        await store.writeTrace(entries("trace-renders", 20, { message: "render" }, i * 20), NOW);
      const error = entries("trace-renders", 1, { level: "error", message: "TypeError: x is undefined" }, 260);
      expect(await store.writeTrace(error, NOW)).toMatchObject({ accepted: 1 });
      const trace = await store.readTrace("trace-renders");
      expect(trace?.entries.at(-1)?.message).toBe("TypeError: x is undefined");
      expect(trace?.summary).toMatchObject({ count: 81, error_count: 1, by_level: { log: 80, error: 1 } });
      expect(trace?.summary.dropped).toEqual([{ system: "browser", reason: "rate_limit_trace", count: 180 }]);
    });

    it("keeps every error over the limit under 20 concurrent noisy batches, exactly", async () => {
      const { store } = makeStore({ RATE_LIMIT_PER_TRACE_PER_HOUR: "100", RATE_LIMIT_GLOBAL_PER_HOUR: "100000" });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.writeTrace(
            joined(
              "trace-noisy",
              entries("trace-noisy", 20, {}, i * 21),
              entries("trace-noisy", 1, { level: "error", message: `boom ${i}` }, i * 21 + 20),
            ),
            NOW,
          ),
        ),
      );
      // Whatever the order: 3 batches of 21 fit in 80; the 4th keeps 17 logs and its error (81); each later
      // batch keeps its error only (82..97).
      const trace = await store.readTrace("trace-noisy");
      expect(trace?.entries.filter((e) => e.level === "error")).toHaveLength(20);
      expect(trace?.summary).toMatchObject({ count: 97, error_count: 20, by_level: { log: 77, error: 20 } });
      expect(results.reduce((n, r) => n + r.dropped.rate_limit_trace, 0)).toBe(323);
      expect(trace?.summary.dropped).toEqual([{ system: "browser", reason: "rate_limit_trace", count: 323 }]);
    });

    it("applies per-system shares of the global quota, each with its reserve", async () => {
      const { store } = makeStore({ RATE_LIMIT_GLOBAL_PER_HOUR: "100", RATE_LIMIT_PER_TRACE_PER_HOUR: "1000" });
      const browser = await store.writeTrace(entries("trace-sys-b", 60), NOW);
      const convex = await store.writeTrace(entries("trace-sys-c", 60, { system: "convex" }), NOW);
      const manual = await store.writeTrace(entries("trace-sys-m", 60, { system: "manual" }), NOW);
      // browser 40 and convex 30 of the 100, 80% of each for logs; manual has no share: it takes what is left of
      // the global 80 for logs.
      expect(browser).toMatchObject({ accepted: 32, dropped: { rate_limit_system: 28 } });
      expect(convex).toMatchObject({ accepted: 24, dropped: { rate_limit_system: 36 } });
      expect(manual).toMatchObject({ accepted: 24, dropped: { rate_limit_global: 36 } });
      const errors = await store.writeTrace(entries("trace-sys-b", 10, { level: "error" }, 60), NOW);
      expect(errors).toMatchObject({ accepted: 8, dropped: { rate_limit_system: 2 } });
    });

    it("caps a trace at MAX_ENTRIES_PER_TRACE and counts the rest as trace_full drops", async () => {
      const { store } = makeStore({ MAX_ENTRIES_PER_TRACE: "30", RATE_LIMIT_PER_TRACE_PER_HOUR: "100000" });
      expect(await store.writeTrace(entries("trace-cap", 25), NOW)).toMatchObject({ accepted: 25 });
      const over = await store.writeTrace(entries("trace-cap", 10, { level: "error" }, 25), NOW);
      expect(over).toMatchObject({ accepted: 5, dropped: { trace_full: 5 }, retryAfterSeconds: 0 });
      const trace = await store.readTrace("trace-cap");
      expect(trace?.entries).toHaveLength(30);
      expect(trace?.summary.dropped).toEqual([{ system: "browser", reason: "trace_full", count: 5 }]);
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

    it("grows no index and creates no meta for writes that store nothing (a flood once the global quota is spent)", async () => {
      const { store, config } = makeStore({ RATE_LIMIT_GLOBAL_PER_HOUR: "10", RATE_LIMIT_PER_TRACE_PER_HOUR: "1000" });
      // manual has no share of its own, so only the global quota applies.
      const real = entries("trace-real", 10, { level: "error", message: "real", system: "manual" });
      expect(await store.writeTrace(real, NOW)).toMatchObject({ accepted: 10 });
      for (let i = 0; i < 30; i++) {
        const flood = await store.writeTrace(entries(`trace-flood-${i}`, 5, { level: "error", system: "manual" }), NOW);
        expect(flood).toMatchObject({ accepted: 0, dropped: { rate_limit_global: 5 } });
      }
      expect((await store.listTraces(NOW - 60_000)).map((t) => t.trace_id)).toEqual(["trace-real"]);
      expect(await backend.command(["ZCARD", `${config.keyPrefix}idx:traces`])).toBe(1);
      expect(await backend.command(["ZCARD", `${config.keyPrefix}idx:errors`])).toBe(10);
      expect(await backend.command(["EXISTS", `${config.keyPrefix}logs:trace-flood-0:meta`])).toBe(0);
      // A refused write to a trace that exists is still counted on it, and leaves its TTL as it was.
      const keys = traceKeys(config.keyPrefix, "trace-real");
      await backend.command(["EXPIRE", keys.meta, "100"]);
      await store.writeTrace(entries("trace-real", 2, { system: "manual" }, 10), NOW);
      expect(Number(await backend.command(["TTL", keys.meta]))).toBeLessThanOrEqual(100);
      expect((await store.readTrace("trace-real"))?.summary.dropped).toEqual([
        { system: "manual", reason: "rate_limit_global", count: 2 },
      ]);
    });

    it("leaves no key without a TTL when the script fails after its first write", async () => {
      const { store, config } = makeStore();
      const keys = traceKeys(config.keyPrefix, "trace-fail");
      // A key of the wrong type makes the script fail half-way (its RPUSH to the notable list), after the
      // entries and ids are written.
      await backend.command(["SET", keys.notable, "not a list", "EX", "600"]);
      await expect(store.writeTrace(entries("trace-fail", 3, { level: "error" }), NOW)).rejects.toThrow(/WRONGTYPE/);
      const after = await ttls(config.keyPrefix, "trace-fail");
      expect(Object.values(after).every((ttl) => ttl > 0 || ttl === -2)).toBe(true);
      expect(after.list).toBeGreaterThan(0);
    });

    it("writes a batch with many distinct users and drop reasons without failing, every key with a TTL", async () => {
      const { store, config } = makeStore({
        RATE_LIMIT_PER_TRACE_PER_HOUR: "100000",
        RATE_LIMIT_GLOBAL_PER_HOUR: "1000000",
      });
      const write = entries("trace-wide", 500);
      write.entries = write.entries.map(({ entry }, i) => {
        const e = { ...entry, user_id: `user-${i}` };
        return { entry: e, json: JSON.stringify(e), errorRef: errorRef(e) };
      });
      for (let i = 0; i < 5000; i++) write.extraDrops.push({ system: "browser", reason: `client_r${i}`, count: 1 });
      expect(await store.writeTrace(write, NOW)).toMatchObject({ accepted: 500 });
      const trace = await store.readTrace("trace-wide");
      // The summary lists the first MAX_USERS_PER_TRACE users.
      expect(trace?.summary.users).toHaveLength(100);
      expect(trace?.summary.users).toContain("user-0");
      // A user already listed is not counted twice; a new one past the cap is not listed.
      const more = entries("trace-wide", 2, {}, 500);
      more.entries = more.entries.map(({ entry }, i) => {
        const e = { ...entry, user_id: i === 0 ? "user-0" : "user-new" };
        return { entry: e, json: JSON.stringify(e), errorRef: errorRef(e) };
      });
      await store.writeTrace(more, NOW);
      const users = (await store.readTrace("trace-wide"))?.summary.users;
      expect(users).toHaveLength(100);
      expect(users).not.toContain("user-new");
      // 16 reasons of their own, the other 4,984 counted together.
      expect(trace?.summary.dropped).toHaveLength(17);
      expect(trace?.summary.dropped[0]).toEqual({ system: "browser", reason: "other", count: 4984 });
      const after = await ttls(config.keyPrefix, "trace-wide");
      expect(Object.values(after).every((ttl) => ttl > 0 || ttl === -2)).toBe(true);
    });

    it("reads a trace larger than one read in bounded pages: start, end and the entries around its errors", async () => {
      const { store } = makeStore({ RATE_LIMIT_PER_TRACE_PER_HOUR: "100000", RATE_LIMIT_GLOBAL_PER_HOUR: "1000000" });
      const pad = "x".repeat(900);
      for (let i = 0; i < 300; i += 50) {
        const write = entries("trace-big", 50, { message: pad }, i);
        write.entries = write.entries.map(({ entry }) => {
          const n = Number(entry.id.split("-").at(-1));
          const e: LogEntry = n === 150 || n === 290 ? { ...entry, level: "error", message: `boom ${n}` } : entry;
          return { entry: e, json: JSON.stringify(e), errorRef: errorRef(e) };
        });
        await store.writeTrace(write, NOW);
      }
      backend.stats.reset();
      const trace = await store.readTrace("trace-big", { maxBytes: 200_000, maxPages: 3 });
      expect(backend.stats.commands).toBeLessThanOrEqual(3);
      const ids = new Set(trace!.entries.map((e) => Number(e.id.split("-").at(-1))));
      for (const n of [0, 10, 130, 150, 170, 270, 290, 299]) expect(ids.has(n), `entry ${n}`).toBe(true);
      expect(trace!.coverage).toMatchObject({ complete: false, elements: 300 });
      expect(trace!.coverage.read).toBe(ids.size);
      expect(trace!.coverage.not_read.length).toBeGreaterThan(0);
      expect(trace!.coverage.note).toMatch(/^Read \d+ of 300 stored entries .*Not read: \d+ entries at positions /);
      expect(trace!.summary.count).toBe(300);
      // Entries stay in arrival order.
      const order = trace!.entries.map((e) => Number(e.id.split("-").at(-1)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      // With the default budget the same trace is read whole.
      expect((await store.readTrace("trace-big"))?.coverage.complete).toBe(true);
      // A window of what was not read, within the same small budget, page by page.
      const [from] = trace!.coverage.not_read[0]!;
      const part = await store.readTrace("trace-big", { maxBytes: 200_000, maxPages: 3, window: { from, count: 20 } });
      expect(part!.entries.map((e) => Number(e.id.split("-").at(-1)))).toEqual(
        Array.from({ length: 20 }, (_, i) => from + i),
      );
      expect(part!.coverage.complete).toBe(true);
      const tiny = await store.readTrace("trace-big", {
        maxBytes: 5_000,
        maxPages: 2,
        window: { from: 0, count: 300 },
      });
      expect(tiny!.coverage).toMatchObject({ complete: false });
      expect(tiny!.coverage.note).toMatch(
        /^Read \d of positions 0-299 of 300 stored entries .*Not read: \d+ entries at positions \d+-299/,
      );
    });

    it("reads a 5 MB trace whole in pages, no reply over 3 MB, through an endpoint that refuses over 10 MB", async () => {
      const { store } = makeStore({ RATE_LIMIT_PER_TRACE_PER_HOUR: "100000", RATE_LIMIT_GLOBAL_PER_HOUR: "1000000" });
      const pad = "p".repeat(8000);
      for (let i = 0; i < 600; i += 100) await store.writeTrace(entries("trace-5mb", 100, { message: pad }, i), NOW);
      backend.stats.reset();
      const trace = await store.readTrace("trace-5mb");
      expect(trace?.coverage).toMatchObject({ complete: true, elements: 600, read: 600 });
      expect(trace?.entries.map((e) => e.id)).toEqual(Array.from({ length: 600 }, (_, i) => `trace-5mb-${i}`));
      expect(backend.stats.commands).toBeGreaterThan(1);
      expect(backend.stats.largestReplyBytes).toBeLessThan(3_000_000);
    });

    it("lists more error references than one reply carries, in pages, newest first", async () => {
      const { store } = makeStore({ RATE_LIMIT_PER_TRACE_PER_HOUR: "100000", RATE_LIMIT_GLOBAL_PER_HOUR: "1000000" });
      for (let i = 0; i < 3; i++) {
        await store.writeTrace(entries(`trace-errs-${i}`, 400, { level: "error", message: `boom ${i}` }), NOW + i);
      }
      backend.stats.reset();
      const refs = await store.listErrorRefs(NOW - 1000);
      expect(refs).toHaveLength(1200);
      expect(backend.stats.commands).toBe(2);
      expect(refs[0]?.message).toBe("boom 2");
      expect(refs.at(-1)?.message).toBe("boom 0");
    });

    it("pins a trace beyond the TTL and unpins it", async () => {
      const { store, config } = makeStore({ LOG_TTL_SECONDS: "100", PIN_MAX_SECONDS: "7200" });
      await store.writeTrace(entries("trace-pin", 1, { level: "error" }), Date.now());
      expect(await store.pinTrace("trace-pin", 99_999)).toBe(7200);
      const pinned = await ttls(config.keyPrefix, "trace-pin");
      for (const name of ["list", "meta", "ids", "notable"]) expect(pinned[name], name).toBeGreaterThan(7000);
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
      expect((await readRawList(backend.command, config.keyPrefix, "trace-odd-prefix")).elements).toHaveLength(4);
      expect((await store.readTrace("trace-odd-prefix"))?.entries).toHaveLength(4);
    });

    it("loads the script again when Redis has forgotten it (SCRIPT FLUSH, a restart)", async () => {
      const { store } = makeStore();
      await store.writeTrace(entries("trace-flush", 2), NOW);
      await backend.command(["SCRIPT", "FLUSH"]);
      expect(await store.writeTrace(entries("trace-flush", 2, {}, 2), NOW)).toMatchObject({ accepted: 2 });
      expect((await store.readTrace("trace-flush"))?.entries).toHaveLength(4);
    });

    it("costs one Redis command per trace write, one per read of a trace that fits a page, two per listing", async () => {
      const { store } = makeStore();
      await store.writeTrace(entries("trace-cost", 1), NOW); // loads the script
      await store.readTrace("trace-cost");
      await store.listTraces(NOW - 1000);
      backend.stats.reset();
      for (const size of [1, 20, 100]) await store.writeTrace(entries(`trace-cost-${size}`, size), NOW);
      expect(backend.stats.commands).toBe(3);
      backend.stats.reset();
      await store.readTrace("trace-cost-100");
      expect(backend.stats.commands).toBe(1);
      backend.stats.reset();
      expect(await store.listTraces(NOW - 1000)).toHaveLength(4);
      expect(backend.stats.commands).toBe(2);
    });
  });
}
