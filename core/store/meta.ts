// Turns a trace's meta hash (flat HGETALL reply; field names in layout.ts) into a TraceSummary.
import type { TraceSummary } from "../schema.js";
import { META } from "./layout.js";

export function parseMeta(traceId: string, flat: string[], ttlSeconds?: number): TraceSummary {
  const summary: TraceSummary = {
    trace_id: traceId,
    first_seen: 0,
    last_seen: 0,
    count: 0,
    error_count: 0,
    by_system: {},
    by_level: {},
    users: [],
    dropped: [],
  };
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = String(flat[i]);
    const value = String(flat[i + 1]);
    const n = Number(value);
    if (field === META.count) summary.count = n;
    else if (field === META.errors) summary.error_count = n;
    else if (field === META.firstSeen) summary.first_seen = n;
    else if (field === META.lastSeen) summary.last_seen = n;
    else if (field === META.pinnedUntil) summary.pinned_until = n;
    else if (field.startsWith(META.system)) summary.by_system[field.slice(META.system.length)] = n;
    else if (field.startsWith(META.level)) summary.by_level[field.slice(META.level.length)] = n;
    else if (field.startsWith(META.user)) summary.users.push(field.slice(META.user.length));
    else if (field.startsWith(META.drop)) {
      const [system = "unknown", ...reason] = field.slice(META.drop.length).split(":");
      summary.dropped.push({ system, reason: reason.join(":"), count: n });
    }
  }
  if (ttlSeconds !== undefined && ttlSeconds >= 0) summary.ttl_seconds = ttlSeconds;
  summary.users.sort();
  summary.dropped.sort((a, b) => b.count - a.count);
  return summary;
}
