// Opaque paging cursors: an offset bound to the query that produced it, so a cursor replayed with other
// filters (or another trace) is refused instead of silently skipping entries.
import { InputError } from "../errors.js";
import { shortHash } from "./hash.js";

/**
 * `scope` is whatever defines the result list: tool name, trace id, filters. Key order and the order of
 * primitive arrays do not matter.
 */
export function encodeCursor(offset: number, scope: unknown): string {
  return toBase64Url(`v1.${Math.max(0, Math.floor(offset))}.${scopeHash(scope)}`);
}

/** The offset in a cursor from encodeCursor; InputError when it is malformed or was made for another scope. */
export function decodeCursor(cursor: string, scope: unknown): number {
  let text: string;
  try {
    text = fromBase64Url(cursor);
  } catch {
    text = "";
  }
  const m = /^v1\.(\d{1,9})\.([0-9a-f]{12})$/.exec(text);
  if (!m) throw new InputError("cursor is not valid: pass the cursor string exactly as a previous call returned it");
  if (m[2] !== scopeHash(scope)) {
    throw new InputError(
      "cursor belongs to a different query (other trace or filters): repeat the call with the same arguments as the one that returned it, or omit cursor to start over",
    );
  }
  return Number(m[1]);
}

function scopeHash(scope: unknown): string {
  return shortHash(JSON.stringify(canonical(scope)) ?? "");
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.every((v) => typeof v !== "object" || v === null) ? [...items].sort() : items;
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

function toBase64Url(text: string): string {
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) throw new Error("not base64url");
  return atob(text.replace(/-/g, "+").replace(/_/g, "/"));
}
