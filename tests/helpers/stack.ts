// The real local stack for end-to-end tests: Redis behind the REST endpoint and the Worker in workerd.
import { startRedisServer } from "../../dev/redis-server.mjs";
import { startStack } from "../../dev/stack.mjs";
import { parseCommandStats, restCommand } from "./backends.js";

export interface TestStack {
  url: string;
  ingestToken: string;
  mcpToken: string;
  keyPrefix: string;
  /** The example producer Worker (dev/tail-producer), when started with `tailProducer`. */
  producerUrl?: string;
  /** The local Upstash REST endpoint and its token, for clients of our own (e.g. @upstash/redis). */
  restUrl: string;
  restToken: string;
  /** One raw Redis command through the REST endpoint. */
  redis(args: string[]): Promise<unknown>;
  commandCount(): number;
  resetCommandCount(): void;
  /** `INFO commandstats` calls by command (this stack's own redis-server). */
  commandStats(): Promise<Record<string, number> | null>;
  stop(): Promise<void>;
}

/**
 * Starts a stack with its own redis-server (so command counts are its own) and a random key prefix.
 * `vars` become Worker vars and win over the defaults.
 */
export async function startTestStack(
  vars: Record<string, string> = {},
  options: { tailProducer?: boolean } = {},
): Promise<TestStack> {
  const redis = await startRedisServer({ port: 0 });
  const keyPrefix = `e2e${Math.random().toString(36).slice(2, 8)}:`;
  const stack = await startStack({
    port: 0,
    store: "redis",
    quiet: true,
    env: { KEY_PREFIX: keyPrefix, ...vars },
    processEnv: { PATH: process.env.PATH, REDIS_URL: redis.url },
    ...options,
  });
  const redisCommand = restCommand(stack.rest.url, stack.rest.token);
  return {
    url: stack.url,
    ingestToken: stack.ingestToken,
    mcpToken: stack.mcpToken,
    keyPrefix,
    ...(stack.producerUrl ? { producerUrl: stack.producerUrl } : {}),
    restUrl: stack.rest.url,
    restToken: stack.rest.token,
    redis: redisCommand,
    commandCount: () => stack.rest.stats?.commands ?? -1,
    resetCommandCount: () => stack.rest.stats?.reset(),
    commandStats: async () => parseCommandStats(String(await redisCommand(["INFO", "commandstats"]))),
    async stop() {
      await stack.stop();
      await redis.stop();
    },
  };
}
