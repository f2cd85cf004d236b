// `since` tokens for fix-then-verify: an answer says how far it saw, a later call passes that back and gets
// only what arrived after. Built on the server's received_at and the ids seen at its last millisecond, not on
// positions in a stored list, so a change of storage layout cannot shift it.
import { fnv1a64 } from "./analysis/hash.js";
import { SINCE_IDS_MAX } from "./analysis/limits.js";
import { InputError } from "./errors.js";

/** What a token says was seen: everything received before `at`, and at `at` the ids hashed in `keys`. */
export interface SinceMark {
  at: number;
  /** Hashes of the ids seen at `at`; null when there were too many to list (the whole millisecond was seen). */
  keys: Set<string> | null;
}

const hashKey = (key: string) => fnv1a64(key).slice(0, 8);

/**
 * The token for an answer that saw `items` (received_at and id of each entry, or last activity and trace id
 * of each trace). With nothing seen it marks `now`.
 */
export function sinceToken(items: Iterable<{ at: number; key: string }>, now: number): string {
  let at = -1;
  let keys: string[] = [];
  for (const item of items) {
    if (item.at > at) {
      at = item.at;
      keys = [];
    }
    if (item.at === at && keys.length <= SINCE_IDS_MAX) keys.push(hashKey(item.key));
  }
  if (at < 0) return encode(`s1.${Math.floor(now)}.`);
  const listed = keys.length > SINCE_IDS_MAX ? "*" : keys.join("-");
  return encode(`s1.${at}.${listed}`);
}

export function parseSince(token: string): SinceMark {
  let text = "";
  try {
    if (/^[A-Za-z0-9_-]{1,600}$/.test(token)) text = atob(token.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    text = "";
  }
  const m = /^s1\.(\d{1,15})\.(\*|(?:[0-9a-f]{8}(?:-[0-9a-f]{8})*)?)$/.exec(text);
  if (!m) {
    throw new InputError(
      "since is not a valid token: pass the since string exactly as a previous answer returned it (get_trace also takes a time in ms since epoch)",
    );
  }
  return { at: Number(m[1]), keys: m[2] === "*" ? null : new Set(m[2] ? m[2].split("-") : []) };
}

/** True when something received at `at` with id `key` arrived after the token's answer. */
export function isNew(mark: SinceMark, at: number, key: string): boolean {
  if (at !== mark.at) return at > mark.at;
  return mark.keys !== null && !mark.keys.has(hashKey(key));
}

/** "entries received after 2026-11-29T12:35:52.105Z" for headers. */
export function describeSince(mark: SinceMark, what: string): string {
  return `only ${what} received after ${new Date(mark.at).toISOString()} (the since token)`;
}

function encode(text: string): string {
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
