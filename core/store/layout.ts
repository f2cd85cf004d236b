// The storage vocabulary, defined once: meta field names, drop reasons, the ingest payload's separators and the
// scripts' replies. The TypeScript reads and writes with these names, and the Lua gets them interpolated.

/** Fields of a trace's meta hash (`logs:{trace_id}:meta`). Prefixed ones are followed by a name. */
export const META = {
  /** Entries stored. */
  count: "count",
  /** Entries stored at level error. */
  errors: "errors",
  /** Bytes of entry JSON stored (the per-trace byte cap reads it). */
  bytes: "bytes",
  /** Receive time of the first and the latest write that stored something, ms. */
  firstSeen: "first_seen",
  lastSeen: "last_seen",
  /** Set by pin_trace: keep the trace until this time, ms. */
  pinnedUntil: "pinned_until",
  /** `sys:<system>`: entries stored by system. */
  system: "sys:",
  /** `lvl:<level>`: entries stored by level. */
  level: "lvl:",
  /** `user:<user_id>`: a user seen in the trace (value 1), at most MAX_USERS_PER_TRACE of them. */
  user: "user:",
  /** How many `user:` fields the hash holds. */
  userCount: "users",
  /** `drop:<system>:<reason>`: entries not stored, by system and reason. */
  drop: "drop:",
  /** `rl:<window>`: the trace's own rate-limit counter for one window. */
  rate: "rl:",
} as const;

/** Field of the global rate-limit hash (`rl:<window>`) counting every system; the others are system names. */
export const RATE_GLOBAL_FIELD = "global";

/** Why the store did not keep an entry (the reasons it decides; the ingest path adds its own, e.g. `invalid`). */
export const DROP = {
  /** The trace's own hourly limit. */
  rateLimitTrace: "rate_limit_trace",
  /** The system's share of the global hourly limit. */
  rateLimitSystem: "rate_limit_system",
  /** The global hourly limit. */
  rateLimitGlobal: "rate_limit_global",
  /** The trace holds MAX_ENTRIES_PER_TRACE entries or MAX_TRACE_BYTES bytes. */
  traceFull: "trace_full",
} as const;

/** Levels that may use the reserved share of every budget (see RATE_LIMIT_RESERVE_PERCENT). */
export const RESERVED_LEVELS = ["warn", "error"] as const;

/**
 * The ingest payload (the last argument of the ingest script), in three sections separated by PAYLOAD.line:
 *   1. per entry `id<TAB>system<TAB>level<TAB>user_id<TAB>` (no tabs or line breaks inside), concatenated;
 *   2. one line per entry at level error: its error reference (compact JSON), in order;
 *   3. the entries' JSON, one per line.
 * JSON never holds a raw tab or line break, so the separators cannot occur inside a value.
 */
export const PAYLOAD = { field: "\t", line: "\n" } as const;

/** Elements of `logs:{trace_id}:notable`: `<kind>:<position in the list>`, kinds below. */
export const NOTABLE = { error: "e", warn: "w" } as const;

/** The ingest script's reply, in this order. */
export const INGEST_REPLY = [
  "accepted",
  "duplicates",
  "dropped_trace",
  "dropped_system",
  "dropped_global",
  "dropped_full",
  "retry_after_s",
] as const;

/** The read script's reply, in this order. */
export const READ_REPLY = ["meta", "ttl", "length", "notable", "segments", "complete"] as const;

/** The meta script's reply (list_traces), in this order. */
export const METAS_REPLY = ["metas", "complete"] as const;

/** A script's flat reply as an object keyed by the names it was built from. */
export function byName<const N extends readonly string[]>(names: N, reply: unknown): Record<N[number], unknown> {
  const values = Array.isArray(reply) ? reply : [];
  const out = {} as Record<N[number], unknown>;
  names.forEach((name: N[number], i) => {
    out[name] = values[i];
  });
  return out;
}

/** The Lua that returns the locals named in `names` in their order (the reply `byName` reads). */
export function luaReturn(names: readonly string[]): string {
  return `return { ${names.join(", ")} }`;
}

/** A name as a Lua string literal (names here hold no quote or backslash). */
export function lua(name: string): string {
  if (/['\\\n]/.test(name)) throw new Error(`not a plain name: ${name}`);
  return `'${name}'`;
}
