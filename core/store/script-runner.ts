// One script run per store operation through @upstash/redis (EVALSHA, the script loaded on first use), every
// failure reported as the store's. Shared by the log store and the Convex request-id index.
import type { Redis } from "@upstash/redis";
import { StoreUnavailableError } from "../errors.js";

export class ScriptRunner {
  private readonly scripts = new Map<string, ReturnType<Redis["createScript"]>>();

  constructor(private readonly redis: Redis) {}

  /** `readonly` scripts run with EVALSHA_RO (their source says `no-writes`). */
  run<T = unknown>(source: string, keys: string[], args: string[], readonly = false): Promise<T> {
    let script = this.scripts.get(source);
    if (!script) {
      script = readonly ? this.redis.createScript(source, { readonly: true }) : this.redis.createScript(source);
      this.scripts.set(source, script);
    }
    const s = script;
    return storeCall(() => s.exec(keys, args) as Promise<T>);
  }
}

/** Runs one store call; any failure becomes a StoreUnavailableError naming what Redis or the network said. */
export async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new StoreUnavailableError(`The log store did not answer: ${message}`, { cause });
  }
}
