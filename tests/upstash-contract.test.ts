// The store against what production runs on: a real Upstash database when UPSTASH_REDIS_REST_URL and
// UPSTASH_REDIS_REST_TOKEN are set, and always the local REST endpoint in its strict mode (Upstash's documented
// limits and key rules) over a real redis-server. The same tests on both: the path form with a raw body, every
// script, and the limits. Keys live under a random prefix with a short TTL, and are deleted at the end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.js";
import type { LogEntry } from "../core/schema.js";
import { createRedis, LogStore, type TraceWrite } from "../core/store/log-store.js";
import { SCRIPTS } from "../core/store/scripts.js";
import { errorRef } from "../core/normalize.js";
import { startBackend, restCommand, type Backend } from "./helpers/backends.js";
import { readRawList } from "./helpers/raw-list.js";

const upstash = { url: process.env.UPSTASH_REDIS_REST_URL, token: process.env.UPSTASH_REDIS_REST_TOKEN };
const TARGETS = [
  { name: "the local REST endpoint (strict) over redis-server", real: false, skip: false },
  {
    name:
      upstash.url && upstash.token
        ? "a real Upstash database"
        : "a real Upstash database (skipped: UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are not set)",
    real: true,
    skip: !(upstash.url && upstash.token),
  },
];
const MB = 1_000_000;

function write(traceId: string, n: number, from = 0, over: Partial<LogEntry> = {}): TraceWrite {
  const now = Date.now();
  return {
    traceId,
    extraDrops: [],
    entries: Array.from({ length: n }, (_, i) => {
      const entry: LogEntry = {
        id: `${traceId}-${from + i}`,
        trace_id: traceId,
        system: "worker",
        level: "info",
        message: `entry ${from + i}`,
        timestamp: now + from + i,
        received_at: now,
        ...over,
      };
      return { entry, json: JSON.stringify(entry), errorRef: errorRef(entry) };
    }),
  };
}

for (const target of TARGETS) {
  describe.skipIf(target.skip)(`store contract on ${target.name}`, () => {
    let backend: Backend | undefined;
    let command: (args: string[]) => Promise<unknown>;
    let store: LogStore;
    const prefix = `contract-${Math.random().toString(36).slice(2, 10)}:`;

    beforeAll(async () => {
      let url = upstash.url as string;
      let token = upstash.token as string;
      if (!target.real) {
        backend = await startBackend("redis");
        ({ url, token } = backend);
      }
      command = restCommand(url, token);
      const config = loadConfig({
        UPSTASH_REDIS_REST_URL: url,
        UPSTASH_REDIS_REST_TOKEN: token,
        KEY_PREFIX: prefix,
        LOG_TTL_SECONDS: "600",
        PIN_MAX_SECONDS: "900",
        RATE_LIMIT_PER_TRACE_PER_HOUR: "1000000",
        RATE_LIMIT_GLOBAL_PER_HOUR: "10000000",
      });
      store = new LogStore(createRedis(config), config);
    });
    afterAll(async () => {
      if (command) {
        const keys = (await command(["KEYS", `${prefix}*`]).catch(() => [])) as string[];
        for (let i = 0; i < keys.length; i += 100) await command(["DEL", ...keys.slice(i, i + 100)]);
      }
      await backend?.stop();
    });

    it("writes through the path form with the batch as a raw body, byte for byte, one entry per element", async () => {
      const batch = write("c-path", 3);
      batch.entries = batch.entries.map(({ entry }, i) => {
        const e = { ...entry, message: ["tab\there", 'ünï "q" \\ 🚀', "line\nbreak\r\n"][i]!, user_id: `u ${i}` };
        return { entry: e, json: JSON.stringify(e), errorRef: errorRef(e) };
      });
      expect(await store.writeTrace(batch)).toMatchObject({ accepted: 3, duplicates: 0 });
      expect(await store.writeTrace(batch)).toMatchObject({ accepted: 0, duplicates: 3 });
      const raw = await readRawList<LogEntry>(command, prefix, "c-path");
      expect(raw.elements).toHaveLength(3);
      expect(raw.entries).toEqual(batch.entries.map((e) => e.entry));
      expect((await store.readTrace("c-path"))?.entries).toEqual(batch.entries.map((e) => e.entry));
    });

    it("runs every script: ingest, read (EVALSHA_RO), metas for list_traces (EVALSHA_RO), pin", async () => {
      await store.writeTrace(write("c-scripts", 2, 0, { level: "error", message: "boom" }));
      const trace = await store.readTrace("c-scripts");
      expect(trace?.summary).toMatchObject({ count: 2, error_count: 2 });
      const listed = await store.listTraces(Date.now() - 60_000);
      expect(listed.find((t) => t.trace_id === "c-scripts")).toMatchObject({ count: 2 });
      expect(await store.pinTrace("c-scripts", 800)).toBeGreaterThan(700);
      expect(Number(await command(["TTL", `${prefix}logs:c-scripts:notable`]))).toBeGreaterThan(700);
      expect(await store.pinTrace("c-scripts", 0)).toBe(600);
      // Every script loads where the store runs it (SCRIPT LOAD accepts each shebang).
      for (const { source } of Object.values(SCRIPTS))
        expect(String(await command(["SCRIPT", "LOAD", source]))).toMatch(/^[0-9a-f]{40}$/);
    });

    it("fails a script with allow-key-locking that touches a key it did not declare", async () => {
      const script = `#!lua flags=allow-key-locking\nreturn redis.call('GET', '${prefix}undeclared')`;
      await expect(command(["EVAL", script, "1", `${prefix}declared`])).rejects.toThrow();
    });

    it("refuses a request over 10 MB and a reply over 10 MB", async () => {
      // Upstash documents the error text for commands; its HTTP front may answer an oversized body otherwise.
      const refusal = target.real ? /./ : /max request size/i;
      await expect(command(["SET", `${prefix}too-big`, "x".repeat(10 * MB + 1000)])).rejects.toThrow(refusal);
      const half = "y".repeat(6 * MB);
      await command(["SET", `${prefix}half-1`, half, "EX", "600"]);
      await command(["SET", `${prefix}half-2`, half, "EX", "600"]);
      await expect(command(["MGET", `${prefix}half-1`, `${prefix}half-2`])).rejects.toThrow(refusal);
      await command(["DEL", `${prefix}half-1`, `${prefix}half-2`]);
    });

    it("reads a trace larger than the max request size through bounded pages, saying what was not read", async () => {
      const message = "z".repeat(8000);
      for (let i = 0; i < 1400; i += 100) {
        const batch = write("c-large", 100, i, { message });
        if (i === 700) {
          const e = {
            ...batch.entries[50]!.entry,
            level: "error" as const,
            message: "TypeError: the one that matters",
          };
          batch.entries[50] = { entry: e, json: JSON.stringify(e), errorRef: errorRef(e) };
        }
        expect(await store.writeTrace(batch)).toMatchObject({ accepted: 100 });
      }
      const trace = await store.readTrace("c-large");
      expect(trace?.summary.count).toBe(1400);
      expect(trace?.coverage).toMatchObject({ complete: false, elements: 1400 });
      expect(trace?.entries.some((e) => e.message === "TypeError: the one that matters")).toBe(true);
      expect(trace?.entries[0]?.id).toBe("c-large-0");
      expect(trace?.entries.at(-1)?.id).toBe("c-large-1399");
      expect(trace?.coverage.note).toMatch(/Not read: \d+ entries/);
    });
  });
}
