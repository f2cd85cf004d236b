// EVALSHA in Upstash's path form with a raw body (`POST /evalsha/<sha>/<numkeys>/<keys...>/<args...>`, the body
// being the last argument: https://upstash.com/docs/redis/features/restapi), for payloads that would cost more as
// a JSON command: the entries are JSON already, and a JSON command array would escape each of them again.
import type { Redis } from "@upstash/redis";
import { STORE_TIMEOUT_MS } from "../limits.js";
import { digestHex } from "../hex.js";
import { parseJsonOrUndefined } from "../json.js";

/** Network errors retried per store call; writes are idempotent (entry ids), so a retry cannot duplicate. */
export const STORE_RETRIES = 2;

/** Path arguments that need no URL encoding: ids, key names (":" included) and numbers. */
export const PATH_SAFE = /^[A-Za-z0-9._:~-]+$/;

export class PathEval {
  private sha?: Promise<string>;

  constructor(
    private readonly redis: Redis,
    private readonly restUrl: string,
    private readonly token: string,
    private readonly script: string,
  ) {}

  /** Runs the script, loading it once when Redis does not know it (NOSCRIPT). Every script here is idempotent. */
  async run<T>(keys: string[], args: string[], body: string): Promise<T> {
    const sha = await (this.sha ??= digestHex("SHA-1", this.script));
    const url = `${this.restUrl}/evalsha/${sha}/${keys.length}/${[...keys, ...args].join("/")}`;
    const signal = AbortSignal.timeout(STORE_TIMEOUT_MS);
    let outcome = await this.post(url, body, signal);
    if ("error" in outcome && outcome.error.startsWith("NOSCRIPT")) {
      await this.redis.scriptLoad(this.script);
      outcome = await this.post(url, body, signal);
    }
    if ("error" in outcome) throw new Error(outcome.error);
    return outcome.result as T;
  }

  private async post(url: string, body: string, signal: AbortSignal): Promise<{ result: unknown } | { error: string }> {
    const init: RequestInit = {
      method: "POST",
      headers: { authorization: `Bearer ${this.token}`, "content-type": "text/plain" },
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
}
