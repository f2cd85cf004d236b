// The benchmark's Worker: the real app unchanged, plus baseline routes that the ingestion path is compared with,
// measured in the same run on the same runtime and Redis. Never deployed; used only by bench/run.mjs.
import type { Redis } from "@upstash/redis";
import type { ExecutionContext } from "hono";
import app from "../worker.js";
import { bearerToken, tokenMatches } from "../core/auth.js";
import { detectSystem } from "../core/detect-system.js";
import { ingestBatch } from "../core/ingest.js";
import { servicesFor } from "../core/services.js";
import { createRedis, type LogStore, type TraceWrite } from "../core/store/log-store.js";
import { readJsonBody } from "../ingest-worker/body.js";

type Env = Record<string, unknown>;

/** One client per env object, built with the production settings (createRedis), as servicesFor does. */
const clients = new WeakMap<object, Redis>();
function redisFor(env: Env): Redis {
  let redis = clients.get(env);
  if (!redis) clients.set(env, (redis = createRedis(servicesFor(env).config)));
  return redis;
}

/** The entries of a body shaped like POST /log's: one entry, an array, or `{ sent_at, entries }`. */
function entriesOf(body: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(body)) return body;
  if (body && typeof body === "object" && Array.isArray((body as { entries?: unknown }).entries)) {
    return (body as { entries: Array<Record<string, unknown>> }).entries;
  }
  return [body as Record<string, unknown>];
}

const accepted = (n: number) =>
  new Response(JSON.stringify({ accepted: n }), { status: 202, headers: { "content-type": "application/json" } });

/** POST /bench/one-command: parse the body, one trivial Redis command, 202. The floor of any design that writes. */
async function oneCommand(request: Request, env: Env): Promise<Response> {
  const entries = entriesOf(await request.json());
  await redisFor(env).incr(`${servicesFor(env).config.keyPrefix}one-command`);
  return accepted(entries.length);
}

/**
 * POST /bench/naive: the design the Lua script replaces. Per log one LPUSH and one EXPIRE, awaited one after the
 * other as a straightforward loop would; no validation, limits, dedup or indexes.
 * `parallel` issues all of a request's commands at once (Promise.all) instead: same bill, less latency.
 */
async function naive(request: Request, env: Env, parallel: boolean): Promise<Response> {
  const entries = entriesOf(await request.json());
  const { keyPrefix, logTtlSeconds } = servicesFor(env).config;
  const redis = redisFor(env);
  const key = (entry: Record<string, unknown>) => `${keyPrefix}naive:${String(entry.trace_id)}`;
  if (parallel) {
    await Promise.all(
      entries.flatMap((entry) => [
        redis.lpush(key(entry), JSON.stringify(entry)),
        redis.expire(key(entry), logTtlSeconds),
      ]),
    );
  } else {
    for (const entry of entries) {
      await redis.lpush(key(entry), JSON.stringify(entry));
      await redis.expire(key(entry), logTtlSeconds);
    }
  }
  return accepted(entries.length);
}

/** Stands in for the store in /bench/no-store: accepts every entry at once, no I/O. */
const nullStore = {
  writeTrace: async (write: TraceWrite) => ({
    accepted: write.entries.length,
    duplicates: 0,
    dropped: { rate_limit_trace: 0, rate_limit_system: 0, rate_limit_global: 0 },
    retryAfterSeconds: 0,
  }),
} as unknown as LogStore;

/**
 * POST /bench/no-store: a diagnostic, not a baseline. What POST /log does without the store: token check, body
 * reading, normalisation, redaction and per-entry serialisation (core/ingest.ts), so the run can split /log's
 * cost into Worker code and the Redis call.
 */
async function noStore(request: Request, env: Env): Promise<Response> {
  const { config } = servicesFor(env);
  if (!(await tokenMatches(bearerToken(request.headers.get("authorization")), config.ingestTokens))) {
    return new Response(null, { status: 403 });
  }
  const body = await readJsonBody(request, config.maxBodyBytes);
  const result = await ingestBatch(nullStore, body, {
    receivedAt: Date.now(),
    defaultSystem: detectSystem((name) => request.headers.get(name)),
    redactPatterns: config.redactPatterns,
  });
  return accepted(result.accepted);
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (request.method === "POST" && pathname.startsWith("/bench/")) {
      switch (pathname) {
        // The runtime's ceiling: the body is not even read.
        case "/bench/bare":
          return new Response(null, { status: 202 });
        case "/bench/one-command":
          return oneCommand(request, env);
        case "/bench/naive":
          return naive(request, env, false);
        case "/bench/naive-parallel":
          return naive(request, env, true);
        case "/bench/no-store":
          return noStore(request, env);
      }
    }
    return app.fetch(request, env, ctx);
  },
};
