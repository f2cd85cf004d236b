// The Redis store behind ingestion and every reader, over Upstash's REST protocol (@upstash/redis).
// Each operation is one script run (one billed command) or a few bounded ones; layout.ts names what is stored.
import { Redis } from "@upstash/redis";
import type { Config } from "../config.js";
import { StoreUnavailableError } from "../errors.js";
import {
  ERROR_INDEX_MAX,
  ERROR_REFS_PAGE,
  MAX_ENTRIES_PER_BATCH,
  LIST_REPLY_BYTES,
  MAX_TRACE_BYTES,
  MAX_USERS_PER_TRACE,
  RATE_LIMIT_RESERVE_PERCENT,
  STORE_TIMEOUT_MS,
  TRACE_INDEX_MAX,
} from "../limits.js";
import type { LogEntry, TraceSummary } from "../schema.js";
import { indexKeys, metaKey, RATE_WINDOW_MS, rateKey, traceKeys } from "./keys.js";
import { byName, DROP, INGEST_REPLY, METAS_REPLY, PAYLOAD } from "./layout.js";
import { SCRIPTS, type ScriptName } from "./scripts.js";
import { INGEST_ARGS, INGEST_KEYS } from "./ingest-script.js";
import { parseMeta } from "./meta.js";
import { PATH_SAFE, PathEval, STORE_RETRIES } from "./rest-eval.js";
import { ScriptRunner, storeCall } from "./script-runner.js";
import { readBounded } from "./read-trace.js";
import { boundDrops, summaryUser } from "./write-args.js";
import { parseStoredEntries, type TraceCoverage } from "./read-plan.js";

export { parseStoredEntries, type TraceCoverage } from "./read-plan.js";

/** What one trace's write needs: entries already validated, redacted and serialised. */
export interface TraceWrite {
  traceId: string;
  entries: Array<{ entry: LogEntry; json: string; errorRef: string }>;
  /** Drops decided before the store (invalid entries, client-side drops), by system and reason. */
  extraDrops: Array<{ system: string; reason: string; count: number }>;
}

export interface WriteResult {
  accepted: number;
  duplicates: number;
  dropped: { rate_limit_trace: number; rate_limit_system: number; rate_limit_global: number; trace_full: number };
  retryAfterSeconds: number;
}

export interface StoredTrace {
  /** The entries read, in arrival order: all of them unless `coverage.complete` is false. */
  entries: LogEntry[];
  /** Counts, first/last seen, users and drops of the whole trace (from its meta hash). */
  summary: TraceSummary;
  /** What was read of the stored list, and what was not. */
  coverage: TraceCoverage;
}

/** Bounds of one trace read. */
export interface ReadOptions {
  /** Bytes of stored entries the read may hold. Default READ_MAX_BYTES. */
  maxBytes?: number;
  /** Redis commands the read may take. Default READ_MAX_PAGES. */
  maxPages?: number;
  /**
   * Only these list positions, oldest first (`count` from `from`), e.g. to page through the part of a large trace
   * that a default read left out (its `coverage.not_read`). Default: the whole trace, as described above.
   */
  window?: { from: number; count: number };
}

export type StoreConfig = Pick<
  Config,
  | "redisUrl"
  | "redisToken"
  | "keyPrefix"
  | "logTtlSeconds"
  | "pinMaxSeconds"
  | "rateLimitGlobalPerHour"
  | "rateLimitPerTracePerHour"
  | "systemShares"
> &
  Partial<Pick<Config, "maxEntriesPerTrace">>;

export function createRedis(config: Pick<Config, "redisUrl" | "redisToken">): Redis {
  if (!config.redisUrl || !config.redisToken) {
    throw new StoreUnavailableError(
      "The store is not configured: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (npm run dev does this for you)",
    );
  }
  return new Redis({
    url: config.redisUrl,
    token: config.redisToken,
    // Entries are JSON strings we parse and validate ourselves.
    automaticDeserialization: false,
    enableAutoPipelining: false,
    enableTelemetry: false,
    retry: { retries: STORE_RETRIES, backoff: (n) => 100 * 2 ** n },
    signal: () => AbortSignal.timeout(STORE_TIMEOUT_MS),
  });
}

export class LogStore {
  private readonly scripts: ScriptRunner;
  private readonly ingest: PathEval;
  /** Per-system quotas as the ingest script reads them: "browser-400.convex-300.worker-300" (plain in a URL path). */
  private readonly quotas: string;
  /**
   * Whether the ingest script's keys and fixed arguments need no URL encoding, so the path form is safe: trace ids
   * are plain by their schema and the rest are numbers, but a KEY_PREFIX with other characters would rely on how
   * the REST API decodes URLs.
   */
  private readonly plainPath: boolean;

  constructor(
    private readonly redis: Redis,
    private readonly config: StoreConfig,
  ) {
    this.scripts = new ScriptRunner(redis);
    const global = config.rateLimitGlobalPerHour;
    const restUrl = (config.redisUrl ?? "").replace(/\/+$/, "");
    this.ingest = new PathEval(redis, restUrl, config.redisToken ?? "", SCRIPTS.ingest.source);
    this.quotas = Object.entries(config.systemShares)
      .filter(([, share]) => share > 0)
      .map(([system, share]) => `${system}-${Math.max(1, Math.floor((global * share) / 100))}`)
      .join(".");
    this.plainPath = (!config.keyPrefix || PATH_SAFE.test(config.keyPrefix)) && PATH_SAFE.test(this.quotas || "-");
  }

  /**
   * Stores one trace's entries with its limit checks, atomically, in one Redis command. The batch travels as the
   * raw body of one EVALSHA (see rest-eval.ts).
   */
  async writeTrace(write: TraceWrite, now = Date.now()): Promise<WriteResult> {
    if (write.entries.length === 0) return { accepted: 0, duplicates: 0, dropped: noDrops(), retryAfterSeconds: 0 };
    if (write.entries.length > MAX_ENTRIES_PER_BATCH) {
      // The ingest path splits batches before this; the script refuses more, so never send them.
      throw new Error(`writeTrace takes at most ${MAX_ENTRIES_PER_BATCH} entries, got ${write.entries.length}`);
    }
    const { keyPrefix: prefix, logTtlSeconds } = this.config;
    const keys = traceKeys(prefix, write.traceId);
    const idx = indexKeys(prefix);
    const bucket = Math.floor(now / RATE_WINDOW_MS);
    const drops = boundDrops(write.extraDrops);
    const keyOf: Record<(typeof INGEST_KEYS)[number], string> = {
      list: keys.list,
      meta: keys.meta,
      ids: keys.ids,
      notable: keys.notable,
      traces: idx.traces,
      errors: idx.errors,
      rate: rateKey(prefix, bucket),
      rate_previous: rateKey(prefix, bucket - 1),
    };
    const argOf: Record<(typeof INGEST_ARGS)[number], string | number> = {
      now,
      ttl: logTtlSeconds,
      trace_limit: this.config.rateLimitPerTracePerHour,
      global_limit: this.config.rateLimitGlobalPerHour,
      window: RATE_WINDOW_MS,
      bucket,
      trace: write.traceId,
      index_ttl: Math.max(this.config.pinMaxSeconds, logTtlSeconds),
      trace_index_max: TRACE_INDEX_MAX,
      error_index_max: ERROR_INDEX_MAX,
      quotas: this.quotas || "-",
      reserve: RATE_LIMIT_RESERVE_PERCENT,
      max_entries: this.config.maxEntriesPerTrace ?? Number.MAX_SAFE_INTEGER,
      max_bytes: MAX_TRACE_BYTES,
      max_users: MAX_USERS_PER_TRACE,
      n_extra: drops.length,
    };
    const scriptKeys = INGEST_KEYS.map((name) => keyOf[name]);
    const args = INGEST_ARGS.map((name) => argOf[name]);
    for (const d of drops) args.push(d.system, d.reason, d.count);
    const { field: tab, line: nl } = PAYLOAD;
    let heads = "";
    let errorRefs = "";
    const jsons: string[] = [];
    for (const { entry, json, errorRef } of write.entries) {
      heads += `${entry.id}${tab}${entry.system}${tab}${entry.level}${tab}${summaryUser(entry.user_id)}${tab}`;
      if (entry.level === "error") errorRefs += `${errorRef}${nl}`;
      jsons.push(json);
    }
    const scriptArgs = args.map(String);
    const payload = `${heads}${nl}${errorRefs}${jsons.join(nl)}`;
    // The path form only where every path argument is plain; otherwise the same arguments as a JSON command.
    const plain = this.plainPath && drops.every((d) => PATH_SAFE.test(d.system) && PATH_SAFE.test(d.reason));
    const reply = plain
      ? await this.call(() => this.ingest.run<unknown[]>(scriptKeys, scriptArgs, payload))
      : await this.run<unknown[]>("ingest", scriptKeys, [...scriptArgs, payload]);
    const r = byName(INGEST_REPLY, reply);
    return {
      accepted: Number(r.accepted ?? 0),
      duplicates: Number(r.duplicates ?? 0),
      dropped: {
        [DROP.rateLimitTrace]: Number(r.dropped_trace ?? 0),
        [DROP.rateLimitSystem]: Number(r.dropped_system ?? 0),
        [DROP.rateLimitGlobal]: Number(r.dropped_global ?? 0),
        [DROP.traceFull]: Number(r.dropped_full ?? 0),
      },
      retryAfterSeconds: Number(r.retry_after_s ?? 0),
    };
  }

  /**
   * One trace, or null when it does not exist or expired. Read whole when it fits one page (READ_PAGE_BYTES);
   * otherwise within `maxBytes` and `maxPages`: its start, the entries around its latest errors and warnings, and
   * its end, with `coverage` saying what was not read. No reply carries more than READ_PAGE_BYTES of entries.
   */
  async readTrace(traceId: string, options: ReadOptions = {}): Promise<StoredTrace | null> {
    const keys = traceKeys(this.config.keyPrefix, traceId);
    const run = (args: string[]) => this.run("read", [keys.list, keys.meta, keys.notable], args);
    return readBounded(run, traceId, options);
  }

  /**
   * Summaries of the traces active since `since` (ms), newest activity first, at most `max`: the index, then the
   * meta hashes passed as keys (two commands), within LIST_REPLY_BYTES.
   */
  async listTraces(since: number, max = 1000): Promise<TraceSummary[]> {
    const prefix = this.config.keyPrefix;
    const idx = indexKeys(prefix);
    const ids = await this.call(() =>
      this.redis.zrange<string[]>(idx.traces, "+inf", since, { byScore: true, rev: true, offset: 0, count: max }),
    );
    if (ids.length === 0) return [];
    const ids2 = ids.map(String);
    const reply = byName(
      METAS_REPLY,
      await this.run(
        "metas",
        ids2.map((id) => metaKey(prefix, id)),
        [String(LIST_REPLY_BYTES)],
      ),
    );
    const metas = (reply.metas as string[][] | undefined) ?? [];
    const out: TraceSummary[] = [];
    metas.forEach((flat, i) => {
      if (flat.length > 0) out.push(parseMeta(ids2[i]!, flat));
    });
    return out;
  }

  /**
   * Compact error references (entries with capped message and stack) received since `since` (ms), newest first,
   * in pages of ERROR_REFS_PAGE (a reference is up to about 2 KB, so a page stays far below Upstash's 10 MB).
   */
  async listErrorRefs(since: number, max = ERROR_INDEX_MAX): Promise<LogEntry[]> {
    const idx = indexKeys(this.config.keyPrefix);
    const refs: string[] = [];
    while (refs.length < max) {
      const count = Math.min(ERROR_REFS_PAGE, max - refs.length);
      const page = await this.call(() =>
        this.redis.zrange<string[]>(idx.errors, "+inf", since, {
          byScore: true,
          rev: true,
          offset: refs.length,
          count,
        }),
      );
      refs.push(...page);
      if (page.length < count) break;
    }
    return parseStoredEntries(refs);
  }

  /** Keeps a trace for `seconds` from now (bounded by PIN_MAX_SECONDS); 0 unpins. Returns the TTL or null if absent. */
  async pinTrace(traceId: string, seconds: number, now = Date.now()): Promise<number | null> {
    const keys = traceKeys(this.config.keyPrefix, traceId);
    const idx = indexKeys(this.config.keyPrefix);
    const bounded = Math.min(Math.max(0, seconds), this.config.pinMaxSeconds);
    const until = bounded > 0 ? now + bounded * 1000 : 0;
    const ttl = await this.run<number>(
      "pin",
      [keys.list, keys.meta, keys.ids, keys.notable, idx.traces],
      [String(now), String(until), String(this.config.logTtlSeconds), traceId],
    );
    return Number(ttl) === -2 ? null : Number(ttl);
  }

  /** True when Redis answers. */
  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  private async run<T = unknown>(name: ScriptName, keys: string[], args: string[]): Promise<T> {
    const { source, readonly } = SCRIPTS[name];
    return this.scripts.run<T>(source, keys, args, readonly);
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return storeCall(fn);
  }
}

function noDrops(): WriteResult["dropped"] {
  return { [DROP.rateLimitTrace]: 0, [DROP.rateLimitSystem]: 0, [DROP.rateLimitGlobal]: 0, [DROP.traceFull]: 0 };
}
