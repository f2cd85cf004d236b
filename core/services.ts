// Builds the config and store for an environment once per isolate (Workers reuse env objects).
import { loadConfig, type Config, type ConfigEnv } from "./config.js";
import { createRedis, LogStore } from "./store/log-store.js";

export interface Services {
  config: Config;
  /** Throws StoreUnavailableError on first use when UPSTASH_REDIS_REST_URL/TOKEN are missing. */
  store: () => LogStore;
}

const cache = new WeakMap<object, Services>();

export function servicesFor(env: ConfigEnv): Services {
  let services = cache.get(env);
  if (!services) {
    const config = loadConfig(env);
    let store: LogStore | undefined;
    services = { config, store: () => (store ??= new LogStore(createRedis(config), config)) };
    cache.set(env, services);
  }
  return services;
}
