// pin_trace: keep a trace beyond the TTL while it is being debugged, or release it.
import type { Config } from "./config.js";
import { InputError } from "./errors.js";
import { traceNotFound } from "./query-shared.js";
import type { LogStore } from "./store/log-store.js";

export interface PinResult {
  trace_id: string;
  pinned: boolean;
  ttl_seconds: number;
  expires_at: number;
}

export async function pinTrace(
  store: LogStore,
  config: Pick<Config, "pinMaxSeconds">,
  traceId: string,
  hours: number,
  now: number,
): Promise<PinResult> {
  if (hours * 3600 > config.pinMaxSeconds) {
    throw new InputError(`hours must be at most ${config.pinMaxSeconds / 3600} (PIN_MAX_SECONDS)`);
  }
  const ttl = await store.pinTrace(traceId, Math.round(hours * 3600), now);
  if (ttl === null) throw traceNotFound(traceId);
  return { trace_id: traceId, pinned: hours > 0, ttl_seconds: ttl, expires_at: now + ttl * 1000 };
}
