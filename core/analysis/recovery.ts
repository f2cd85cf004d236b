// Recoveries: an attempt that failed (a retry, a timeout, a dropped connection) and was followed by the
// same operation succeeding is not a failure the user suffered. Marked on the signals so the root-cause
// walk skips them and the report lists them as benign, with the line that shows the recovery.
import type { Signal } from "./evidence.js";
import { FINGERPRINT_MESSAGE_CHARS, RECOVERY_SCAN_MAX, RECOVERY_WINDOW_MS } from "./limits.js";
import { extractIdentifiers, isFailure, isRetryMessage, isSuccess } from "./signals.js";
import type { Timeline } from "./timeline.js";

const CONNECTION = /\bweb ?socket\b|\bsocket\b|\bconnection\b|\breconnect/i;

/** Sets recoveredBy on failures whose operation later succeeded in the same system. */
export function markRecoveries(signals: Signal[], timeline: Timeline): void {
  const items = timeline.entries;
  for (const s of signals) {
    if (!s.failure || s.terminal) continue;
    const e = s.item.entry;
    const text = e.message.slice(0, FINGERPRINT_MESSAGE_CHARS);
    const connection = CONNECTION.test(text);
    if (!s.attempt && !connection) continue;
    for (let k = s.pos + 1; k < items.length && k <= s.pos + RECOVERY_SCAN_MAX; k++) {
      const next = items[k]!;
      if (next.t - s.item.t > RECOVERY_WINDOW_MS) break;
      const n = next.entry;
      if (n.system !== e.system) continue;
      if (isFailure(n)) {
        // The operation failed for good before any success: no recovery.
        if (n.level === "error" && !isRetryMessage(n.message) && !connection) break;
        continue;
      }
      if (!isSuccess(n)) continue;
      const nText = n.message.slice(0, FINGERPRINT_MESSAGE_CHARS);
      const same =
        (connection && CONNECTION.test(nText)) ||
        (s.attempt && isRetryMessage(nText)) ||
        sharesId(s, extractIdentifiers(n));
      if (same) {
        s.recoveredBy = n.id;
        break;
      }
    }
  }
}

function sharesId(s: Signal, ids: Map<string, string>): boolean {
  for (const [value, kind] of ids) if (kind !== "status" && s.ids.has(value)) return true;
  return false;
}
