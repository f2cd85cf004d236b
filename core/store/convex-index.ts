// The Convex request-id index: which trace a Convex request belongs to, and the join of the events that arrived
// before any trace named their request. Events not joined yet live in the request's own trace, convex-<request id>,
// so every reader finds them; when a trace names the request, the join copies them over. It shares the log store's
// Redis client (core/services.ts) and script runner, and keeps its own scripts and keys.
// Each operation is one script run; every key it touches is in KEYS (Upstash allow-key-locking), all with a TTL.
import type { Redis } from "@upstash/redis";
import type { Config } from "../config.js";
import { traceKeys } from "./keys.js";
import { ScriptRunner } from "./script-runner.js";

/** The trace that holds a Convex request's events until a trace names its request id. */
export function untracedTraceId(requestId: string): string {
  return `convex-${requestId}`;
}

/** Convex events without a request id (the legacy format) and without a logged trace id. */
export const UNTRACED_LEGACY_TRACE_ID = "convex-untraced";

export function convexKeys(prefix: string, requestId: string) {
  return {
    /** String: the trace id this Convex request belongs to (the first to claim it wins). */
    owner: `${prefix}cx:req:${requestId}`,
    /** String: how many list elements of the request's own trace were already copied to its owner. */
    joined: `${prefix}cx:joined:${requestId}`,
    /** The request's own trace's list (see untracedTraceId). */
    held: traceKeys(prefix, untracedTraceId(requestId)).list,
  };
}

/**
 * KEYS: one owner key per request id. ARGV: ttl_s, then per request id a trace id to claim it for, or "".
 * Returns per request id the owning trace id, or "" when none owns it yet.
 */
export const RESOLVE_SCRIPT = `#!lua flags=allow-key-locking
local ttl, out = tonumber(ARGV[1]), {}
for i = 1, #KEYS do
  local claim = ARGV[i + 1]
  if claim ~= '' then redis.call('SET', KEYS[i], claim, 'NX', 'EX', ttl) end
  out[i] = redis.call('GET', KEYS[i]) or ''
end
return out
`;

/**
 * KEYS: per request id its owner key, joined key and held list (three each). ARGV: ttl_s, max_elements, then per
 * request id the trace that names it. Claims each request for its trace (the first claim wins) and returns per
 * request id { owned (1 or 0), list elements not yet copied (at most max_elements) }.
 */
export const JOIN_SCRIPT = `#!lua flags=allow-key-locking
local ttl, max, out = tonumber(ARGV[1]), tonumber(ARGV[2]), {}
for i = 1, #KEYS / 3 do
  local owner, joined, held, trace = KEYS[i * 3 - 2], KEYS[i * 3 - 1], KEYS[i * 3], ARGV[i + 2]
  redis.call('SET', owner, trace, 'NX', 'EX', ttl)
  if redis.call('GET', owner) ~= trace then
    out[i] = { 0, {} }
  else
    local from, len = tonumber(redis.call('GET', joined) or '0'), redis.call('LLEN', held)
    local items = {}
    if len > from then
      local to = math.min(len, from + max) - 1
      items = redis.call('LRANGE', held, from, to)
      redis.call('SET', joined, to + 1, 'EX', ttl)
    end
    out[i] = { 1, items }
  end
end
return out
`;

export interface JoinClaim {
  requestId: string;
  traceId: string;
}

export interface JoinResult extends JoinClaim {
  /** False when the request already belongs to another trace. */
  owned: boolean;
  /** Raw list elements of the request's own trace not copied before (parse with parseStoredEntries). */
  held: string[];
}

export class ConvexIndex {
  private readonly scripts: ScriptRunner;

  constructor(
    redis: Redis,
    private readonly config: Pick<Config, "keyPrefix" | "logTtlSeconds">,
  ) {
    this.scripts = new ScriptRunner(redis);
  }

  /** The owning trace per request id ("" for none), claiming the ones in `claims` first. One command. */
  async resolve(requestIds: string[], claims: Map<string, string>): Promise<Map<string, string>> {
    if (requestIds.length === 0) return new Map();
    const keys = requestIds.map((id) => convexKeys(this.config.keyPrefix, id).owner);
    const args = [String(this.config.logTtlSeconds), ...requestIds.map((id) => claims.get(id) ?? "")];
    const owners = await this.run<string[]>(RESOLVE_SCRIPT, keys, args);
    return new Map(requestIds.map((id, i) => [id, String(owners[i] ?? "")]));
  }

  /** Claims each request for the trace that named it and takes what its own trace held. One command. */
  async join(claims: JoinClaim[], maxElements: number): Promise<JoinResult[]> {
    if (claims.length === 0) return [];
    const keys = claims.flatMap(({ requestId }) => {
      const k = convexKeys(this.config.keyPrefix, requestId);
      return [k.owner, k.joined, k.held];
    });
    const args = [String(this.config.logTtlSeconds), String(maxElements), ...claims.map((c) => c.traceId)];
    const reply = await this.run<Array<[number, string[]]>>(JOIN_SCRIPT, keys, args);
    return claims.map((claim, i) => ({
      ...claim,
      owned: Number(reply[i]?.[0]) === 1,
      held: (reply[i]?.[1] ?? []).map(String),
    }));
  }

  /** One EVALSHA (the script is loaded on first use); failures are the store's, as for every other call. */
  private run<T>(script: string, keys: string[], args: string[]): Promise<T> {
    return this.scripts.run<T>(script, keys, args);
  }
}
