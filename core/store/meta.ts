// Turns a trace's meta hash (flat HGETALL reply) into a TraceSummary.
import type { TraceSummary } from "../schema.js";

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
    if (field === "count") summary.count = n;
    else if (field === "errors") summary.error_count = n;
    else if (field === "first_seen") summary.first_seen = n;
    else if (field === "last_seen") summary.last_seen = n;
    else if (field === "pinned_until") summary.pinned_until = n;
    else if (field.startsWith("sys:")) summary.by_system[field.slice(4)] = n;
    else if (field.startsWith("lvl:")) summary.by_level[field.slice(4)] = n;
    else if (field.startsWith("user:")) summary.users.push(field.slice(5));
    else if (field.startsWith("drop:")) {
      const [system = "unknown", ...reason] = field.slice(5).split(":");
      summary.dropped.push({ system, reason: reason.join(":"), count: n });
    }
  }
  if (ttlSeconds !== undefined && ttlSeconds >= 0) summary.ttl_seconds = ttlSeconds;
  summary.users.sort();
  summary.dropped.sort((a, b) => b.count - a.count);
  return summary;
}
