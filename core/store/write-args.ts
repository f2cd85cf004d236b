// The ingest script's inputs that come from clients, bounded before they reach Redis.
import { MAX_DROP_REASON_CHARS, MAX_DROP_REASONS_PER_WRITE } from "../limits.js";
import type { TraceWrite } from "./log-store.js";

/**
 * Drops decided before the store, bounded: reasons cut to MAX_DROP_REASON_CHARS, one counter per system and
 * reason, at most MAX_DROP_REASONS_PER_WRITE of them (the rest counted as `other`), so a client cannot grow the
 * script's arguments or the trace's meta without bound.
 */
export function boundDrops(drops: TraceWrite["extraDrops"]): TraceWrite["extraDrops"] {
  const merged = new Map<string, { system: string; reason: string; count: number }>();
  let other: { system: string; reason: string; count: number } | undefined;
  for (const d of drops) {
    const count = Math.max(0, Math.floor(Number(d.count) || 0));
    if (count === 0) continue;
    const system = d.system.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 32) || "unknown";
    const reason = d.reason.replace(/[\t\r\n:]/g, "_").slice(0, MAX_DROP_REASON_CHARS) || "unknown";
    const key = `${system}:${reason}`;
    const known = merged.get(key);
    if (known) known.count += count;
    else if (merged.size < MAX_DROP_REASONS_PER_WRITE) merged.set(key, { system, reason, count });
    else if (other) other.count += count;
    else other = { system, reason: "other", count };
  }
  return other ? [...merged.values(), other] : [...merged.values()];
}

/** A user id as the trace summary lists it: a field of the ingest payload, so no tabs or line breaks. */
export function summaryUser(user: string | undefined): string {
  return user ? user.replace(/[\t\r\n]+/g, " ") : "";
}
