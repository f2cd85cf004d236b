// The Redis store behind ingestion and every reader, over Upstash's REST protocol (@upstash/redis).
// Each operation is one script run (one billed command); see scripts.ts for the storage layout.
import { Redis } from "@upstash/redis";
import type { Config } from "../config.js";
import { StoreUnavailableError } from "../errors.js";
import { ERROR_INDEX_MAX, STORE_TIMEOUT_MS, TRACE_INDEX_MAX } from "../limits.js";
import { LogEntrySchema, type LogEntry, type TraceSummary } from "../schema.js";
import { indexKeys, RATE_WINDOW_MS, rateKey, traceKeys } from "./keys.js";
import { INGEST_SCRIPT, LIST_TRACES_SCRIPT, PIN_SCRIPT, READ_TRACE_SCRIPT } from "./scripts.js";
import { parseMeta } from "./meta.js";
import { parseJsonOrUndefined } from "../json.js";

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
  dropped: { rate_limit_trace: number; rate_limit_system: number; rate_limit_global: number };
  retryAfterSeconds: number;
}

export interface StoredTrace {
  entries: LogEntry[];
  summary: TraceSummary;
}

type ScriptName = "ingest" | "read" | "list" | "pin";
const SCRIPTS: Record<ScriptName, string> = {
  ingest: INGEST_SCRIPT,
  read: READ_TRACE_SCRIPT,
  list: LIST_TRACES_SCRIPT,
  pin: PIN_SCRIPT,
};

/** Network errors retried per store call; writes are idempotent (entry ids), so a retry cannot duplicate. */
const STORE_RETRIES = 2;

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
  private readonly scripts: Partial<Record<ScriptName, ReturnType<Redis["createScript"]>>> = {};
  private readonly shas: Partial<Record<ScriptName, Promise<string>>> = {};
  /** Per-system quotas as the ingest script reads them: "browser-400.convex-300.worker-300" (plain in a URL path). */
  private readonly quotas: string;
  /** The REST API's base URL, for the calls made without the client (see evalWithBody). */
  private readonly restUrl: string;
  /**
   * Whether the ingest script's keys and fixed arguments need no URL encoding, so the path form is safe: trace ids
   * are plain by their schema and the rest are numbers, but a KEY_PREFIX with other characters would rely on how
   * the REST API decodes URLs.
   */
  private readonly plainPath: boolean;

  constructor(
    private readonly redis: Redis,
    private readonly config: Pick<
      Config,
      | "redisUrl"
      | "redisToken"
      | "keyPrefix"
      | "logTtlSeconds"
      | "pinMaxSeconds"
      | "rateLimitGlobalPerHour"
      | "rateLimitPerTracePerHour"
      | "systemShares"
    >,
  ) {
    const global = config.rateLimitGlobalPerHour;
    this.restUrl = (config.redisUrl ?? "").replace(/\/+$/, "");
    this.quotas = Object.entries(config.systemShares)
      .filter(([, share]) => share > 0)
      .map(([system, share]) => `${system}-${Math.max(1, Math.floor((global * share) / 100))}`)
      .join(".");
    this.plainPath = (!config.keyPrefix || PATH_SAFE.test(config.keyPrefix)) && PATH_SAFE.test(this.quotas || "-");
  }

  /**
   * Stores one trace's entries with its limit checks, atomically, in one Redis command. The batch travels as the
   * raw body of one EVALSHA (Upstash appends a POST body to the command as its last argument): entries are
   * already JSON, and a JSON command array would escape each of them again, to be decoded again by the REST API.
   */
  async writeTrace(write: TraceWrite, now = Date.now()): Promise<WriteResult> {
    const { keyPrefix: prefix, logTtlSeconds, rateLimitGlobalPerHour: global } = this.config;
    const keys = traceKeys(prefix, write.traceId);
    const idx = indexKeys(prefix);
    const bucket = Math.floor(now / RATE_WINDOW_MS);
    const args: Array<string | number> = [
      now,
      logTtlSeconds,
      this.config.rateLimitPerTracePerHour,
      global,
      RATE_WINDOW_MS,
      bucket,
      write.traceId,
      Math.max(this.config.pinMaxSeconds, logTtlSeconds),
      TRACE_INDEX_MAX,
      ERROR_INDEX_MAX,
      this.quotas || "-",
      write.extraDrops.length,
    ];
    for (const d of write.extraDrops) args.push(d.system, d.reason, d.count);
    let heads = "";
    let errorRefs = "";
    const jsons: string[] = [];
    for (const { entry, json, errorRef } of write.entries) {
      heads += `${entry.id}\t${entry.system}\t${entry.level}\t${summaryUser(entry.user_id)}\t`;
      if (entry.level === "error") errorRefs += `${errorRef}\n`;
      jsons.push(json);
    }
    const scriptKeys = [
      keys.list,
      keys.meta,
      keys.ids,
      idx.traces,
      idx.errors,
      rateKey(prefix, bucket),
      rateKey(prefix, bucket - 1),
    ];
    const scriptArgs = args.map(String);
    // One entry per line of the array, so the script can split it when it keeps only some.
    const batch = `${heads}\n${errorRefs}[${jsons.join(",\n")}]`;
    // The path form only where every path argument is plain; otherwise the same arguments as a JSON command.
    const plain = this.plainPath && write.extraDrops.every((d) => PATH_SAFE.test(d.system) && PATH_SAFE.test(d.reason));
    const reply = plain
      ? await this.call(() => this.evalWithBody<number[]>("ingest", scriptKeys, scriptArgs, batch))
      : await this.run<number[]>("ingest", scriptKeys, [...scriptArgs, batch]);
    const [accepted = 0, duplicates = 0, dTrace = 0, dSystem = 0, dGlobal = 0, retry = 0] = reply.map(Number);
    return {
      accepted,
      duplicates,
      dropped: { rate_limit_trace: dTrace, rate_limit_system: dSystem, rate_limit_global: dGlobal },
      retryAfterSeconds: retry,
    };
  }

  /** One trace's entries (arrival order) and summary, or null when it does not exist or expired. */
  async readTrace(traceId: string): Promise<StoredTrace | null> {
    const keys = traceKeys(this.config.keyPrefix, traceId);
    const [raw, meta, ttl] = await this.run<[string[], string[], number]>("read", [keys.list, keys.meta], []);
    if (!meta || meta.length === 0) return null;
    const entries = parseStoredEntries(raw ?? []);
    return { entries, summary: parseMeta(traceId, meta, Number(ttl)) };
  }

  /** Summaries of the traces active since `since` (ms), newest activity first, at most `max`. */
  async listTraces(since: number, max = 1000): Promise<TraceSummary[]> {
    const idx = indexKeys(this.config.keyPrefix);
    const reply = await this.run<unknown[]>("list", [idx.traces], [this.config.keyPrefix, String(since), String(max)]);
    const out: TraceSummary[] = [];
    for (let i = 0; i + 2 < reply.length; i += 3) {
      out.push(parseMeta(String(reply[i]), reply[i + 2] as string[]));
    }
    return out;
  }

  /** Compact error references (entries with capped message and stack) received since `since` (ms), newest first. */
  async listErrorRefs(since: number, max = ERROR_INDEX_MAX): Promise<LogEntry[]> {
    const idx = indexKeys(this.config.keyPrefix);
    const refs = await this.call(() =>
      this.redis.zrange<string[]>(idx.errors, "+inf", since, { byScore: true, rev: true, offset: 0, count: max }),
    );
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
      [keys.list, keys.meta, keys.ids, idx.traces],
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

  private async run<T>(name: ScriptName, keys: string[], args: string[]): Promise<T> {
    const script = (this.scripts[name] ??= this.redis.createScript(SCRIPTS[name]));
    return this.call(() => script.exec(keys, args) as Promise<T>);
  }

  /**
   * EVALSHA in Upstash's path form, `POST /evalsha/<sha>/<numkeys>/<keys...>/<args...>` with `body` as the last
   * argument, for payloads that would cost more as a JSON command. Loads the script once when Redis does not know
   * it (NOSCRIPT).
   * Network errors are retried like the client's own calls: every script here is idempotent.
   */
  private async evalWithBody<T>(name: ScriptName, keys: string[], args: string[], body: string): Promise<T> {
    const sha = await (this.shas[name] ??= sha1Hex(SCRIPTS[name]));
    const url = `${this.restUrl}/evalsha/${sha}/${keys.length}/${[...keys, ...args].join("/")}`;
    const signal = AbortSignal.timeout(STORE_TIMEOUT_MS);
    let outcome = await this.post(url, body, signal);
    if ("error" in outcome && outcome.error.startsWith("NOSCRIPT")) {
      await this.redis.scriptLoad(SCRIPTS[name]);
      outcome = await this.post(url, body, signal);
    }
    if ("error" in outcome) throw new Error(outcome.error);
    return outcome.result as T;
  }

  private async post(url: string, body: string, signal: AbortSignal): Promise<{ result: unknown } | { error: string }> {
    const init: RequestInit = {
      method: "POST",
      headers: { authorization: `Bearer ${this.config.redisToken}`, "content-type": "text/plain" },
      body,
      signal,
    };
    let response: Response | undefined;
    for (let attempt = 0; !response; attempt++) {
      try {
        response = await fetch(url, init);
      } catch (error) {
        if (signal.aborted || attempt >= STORE_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
    const sync = response.headers.get("upstash-sync-token");
    if (sync) this.redis.readYourWritesSyncToken = sync;
    const text = await response.text();
    const parsed = parseJsonOrUndefined(text) as { result?: unknown; error?: unknown } | undefined;
    if (parsed && typeof parsed.error === "string") return { error: parsed.error };
    if (!response.ok || !parsed || !("result" in parsed)) {
      throw new Error(`HTTP ${response.status} from the REST API: ${text.slice(0, 200)}`);
    }
    return { result: parsed.result };
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreUnavailableError(`The log store did not answer: ${describe(cause)}`, { cause });
    }
  }
}

/** A user id as the trace summary lists it: a field of the ingest payload, so no tabs or line breaks. */
function summaryUser(user: string | undefined): string {
  return user ? user.replace(/[\t\r\n]+/g, " ") : "";
}

/** Path arguments that need no URL encoding: ids, key names (":" included) and numbers. */
const PATH_SAFE = /^[A-Za-z0-9._:~-]+$/;

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Stored entries: each list element is a JSON array of the entries one write kept (an error reference is a single
 * entry). Skips anything that does not parse or match the schema (never written by this code).
 */
export function parseStoredEntries(raw: string[]): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const json of raw) {
    const value = parseJsonOrUndefined(json);
    for (const item of Array.isArray(value) ? value : [value]) {
      const parsed = LogEntrySchema.safeParse(item);
      if (parsed.success) entries.push(parsed.data);
    }
  }
  return entries;
}
