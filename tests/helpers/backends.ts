// Redis backends for store tests: a real redis-server (REDIS_URL, or an ephemeral one) or the
// embedded engine, always behind the local Upstash REST endpoint that production's client speaks to.
import { startRedisServer } from "../../dev/redis-server.mjs";
import { startUpstashRest } from "../../dev/upstash-rest.mjs";

export interface Backend {
  url: string;
  token: string;
  stats: { commands: number; largestReplyBytes: number; reset(): void };
  /** Runs one raw command through the REST endpoint (plain encoding). */
  command(args: string[]): Promise<unknown>;
  /** `INFO commandstats` call counts by command, or null on the embedded engine. */
  commandStats(): Promise<Record<string, number> | null>;
  stop(): Promise<void>;
}

/** `dedicated` starts a redis-server of its own even when REDIS_URL is set (command counting). */
export async function startBackend(kind: "redis" | "memory", dedicated = false): Promise<Backend> {
  let redis: Awaited<ReturnType<typeof startRedisServer>> | undefined;
  let redisUrl = dedicated ? undefined : process.env.REDIS_URL;
  if (kind === "redis" && !redisUrl) {
    redis = await startRedisServer({ port: 0 });
    redisUrl = redis.url;
  }
  const rest = await startUpstashRest({
    backend: kind === "redis" ? { type: "redis", url: redisUrl as string } : { type: "memory" },
    port: 0,
  });
  const command = restCommand(rest.url, rest.token);
  return {
    url: rest.url,
    token: rest.token,
    stats: rest.stats,
    command,
    async commandStats() {
      if (kind !== "redis") return null;
      return parseCommandStats(String(await command(["INFO", "commandstats"])));
    },
    async stop() {
      await rest.close();
      await redis?.stop();
    },
  };
}

export function parseCommandStats(info: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

/** Runs one raw Redis command through an Upstash REST endpoint (plain encoding). */
export function restCommand(url: string, token: string): (args: string[]) => Promise<unknown> {
  return async (args) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify(args),
    });
    const body = (await res.json()) as { result?: unknown; error?: string };
    if (body.error) throw new Error(body.error);
    return body.result;
  };
}
