// pin_trace: keep a trace beyond the TTL while it is being debugged, or release it.
import type { Config } from "./config.js";
import { InputError } from "./errors.js";
import { traceNotFound } from "./query-shared.js";
import type { LogStore } from "./store/log-store.js";
import type { Answer } from "./views/page.js";
import type { PinView } from "./views/schema.js";

export async function pinTrace(
  store: LogStore,
  config: Pick<Config, "pinMaxSeconds">,
  traceId: string,
  hours: number,
  now: number,
): Promise<Answer<PinView>> {
  if (hours * 3600 > config.pinMaxSeconds) {
    throw new InputError(`hours must be at most ${config.pinMaxSeconds / 3600} (PIN_MAX_SECONDS)`);
  }
  const ttl = await store.pinTrace(traceId, Math.round(hours * 3600), now);
  if (ttl === null) throw traceNotFound(traceId);
  const view: PinView = { trace_id: traceId, pinned: hours > 0, ttl_seconds: ttl, expires_at: now + ttl * 1000 };
  const when = new Date(view.expires_at).toISOString();
  const text = view.pinned
    ? `Pinned trace ${traceId}: kept until ${when} (${ttl} s).`
    : `Unpinned trace ${traceId}: normal retention, expires at ${when}.`;
  return { view, text };
}
