// Which system sent a request, for entries that do not say. Documented precedence (README):
// entry.system > X-Debug-Logs-System header > CF-Worker header > browser (Sec-Fetch-Site or Origin) > manual.
import { isSystem } from "./normalize.js";
import type { System } from "./schema.js";

/** Header the server client sets to name its system. */
export const SYSTEM_HEADER = "x-debug-logs-system";

export function detectSystem(header: (name: string) => string | null | undefined): System {
  const declared = header(SYSTEM_HEADER)?.trim().toLowerCase();
  if (isSystem(declared)) return declared;
  // Cloudflare adds CF-Worker (the zone of the calling Worker) to subrequests made by Workers.
  if (header("cf-worker")) return "worker";
  // Browsers send Sec-Fetch-Site and Origin on cross-origin POSTs; Node's fetch sends Sec-Fetch-Mode
  // too, so that header alone proves nothing.
  if (header("sec-fetch-site") || header("origin")) return "browser";
  return "manual";
}
