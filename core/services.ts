// Builds the config, the store and the Convex request-id index for an environment once per isolate (Workers reuse
// env objects); the store and the index share one Redis client.
import { loadConfig, type Config, type ConfigEnv } from "./config.js";
import { ConvexIndex } from "./store/convex-index.js";
import { createRedis, LogStore } from "./store/log-store.js";

export interface Services {
  config: Config;
  /** Throws StoreUnavailableError on first use when UPSTASH_REDIS_REST_URL/TOKEN are missing. */
  store: () => LogStore;
  /** The Convex request-id index (POST /convex/log-stream, and request ids named in POST /log). */
  convexIndex: () => ConvexIndex;
}

const cache = new WeakMap<object, Services>();

export function servicesFor(env: ConfigEnv): Services {
  let services = cache.get(env);
  if (!services) {
    const config = loadConfig(env);
    let redis: ReturnType<typeof createRedis> | undefined;
    let store: LogStore | undefined;
    let convexIndex: ConvexIndex | undefined;
    const client = () => (redis ??= createRedis(config));
    services = {
      config,
      store: () => (store ??= new LogStore(client(), config)),
      convexIndex: () => (convexIndex ??= new ConvexIndex(client(), config)),
    };
    cache.set(env, services);
  }
  return services;
}
