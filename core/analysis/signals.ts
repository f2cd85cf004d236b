// What makes an entry a failure, and which identifiers and text two entries can share: the raw
// signals error chains are built from.
import type { LogEntry, System } from "../schema.js";
import { messageText } from "./fingerprint.js";
import { FINGERPRINT_MESSAGE_CHARS, IDENTIFIERS_PER_ENTRY } from "./limits.js";

const FAILURE_WORDS =
  /\b(?:fail(?:s|ed|ure|ing)?|errors?|exception|timed? ?out|timeout|retry(?:ing)?|retries|unavailable|refused|reset|abort(?:ed)?|crash(?:ed)?|denied|unauthori[sz]ed|forbidden|rejected|gave up|giving up)\b|\b(?:status|http|code)\D{0,3}5\d\d\b|\b5\d\d (?:internal|bad gateway|service unavailable|gateway timeout)/i;
const RETRY_WORDS = /\b(?:retry(?:ing)?|retries|attempt|backoff|back(?:ing)? off|reconnect(?:ing)?)\b/i;

/** Servers (higher tier) originate failures that clients report. */
export const SERVER_SYSTEMS: ReadonlySet<System> = new Set<System>(["convex", "worker"]);

/** Level error, or a warning that reads like a failure (failed, timeout, retrying, status 5xx...). */
export function isFailure(entry: LogEntry): boolean {
  if (entry.level === "error") return true;
  if (entry.level !== "warn") return false;
  return FAILURE_WORDS.test(entry.message.slice(0, FINGERPRINT_MESSAGE_CHARS)) || contextStatus(entry) >= 500;
}

/** An entry that belongs in a retry storm: a failure, or any entry that talks about retrying. */
export function isRetryLike(entry: LogEntry): boolean {
  return isFailure(entry) || isRetryMessage(entry.message);
}

/** "retrying", "attempt 3/5", "backing off", "reconnecting"... */
export function isRetryMessage(message: string): boolean {
  return RETRY_WORDS.test(message.slice(0, FINGERPRINT_MESSAGE_CHARS));
}

function contextStatus(entry: LogEntry): number {
  const c = entry.context;
  if (!c) return 0;
  const status = c.status ?? c.statusCode ?? c.status_code;
  return typeof status === "number" ? status : Number(status) || 0;
}

export type IdentifierKind = "request id" | "uuid" | "id" | "status" | "quoted value" | "function";

// Prefixes that start at word boundaries inside a run are bounded (see VOLATILE in fingerprint.ts).
const IDENTIFIERS = new RegExp(
  [
    /\b(?:x-)?(?:request|req|correlation)[ _-]?id\b["']?[ \t]*[:=]?[ \t]*["']?(?<request>(?=[\w-]{0,64}\d)[\w-]{6,64})/
      .source,
    /\b(?<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/.source,
    /\b(?:status|http|code)\D{0,3}(?<status>[45]\d\d)\b/.source,
    /"(?<dq>[^"\n]{3,100})"|'(?<sq>[^'\n]{3,100})'|`(?<bq>[^`\n]{3,100})`/.source,
    /\b(?<fn>[a-z_][\w/]{0,100}:[a-z_]\w*)\b/.source,
    /\b(?<id>(?=[a-z_-]{0,64}\d)(?=\d*[a-z_-])[a-z0-9_-]{8,64}|0x[0-9a-f]{6,})\b/.source,
  ].join("|"),
  "gi",
);

/**
 * Identifiers in the message, in short context values and (for servers) the source, keyed by lowercased
 * value. Kinds only label the evidence: "8f3a…" as a request id in one entry matches a bare id in another.
 */
export function extractIdentifiers(entry: LogEntry): Map<string, IdentifierKind> {
  const found = new Map<string, IdentifierKind>();
  const add = (value: string, kind: IdentifierKind) => {
    const key = value.toLowerCase();
    if (found.size >= IDENTIFIERS_PER_ENTRY || key === entry.trace_id.toLowerCase()) return;
    const known = found.get(key);
    if (!known || known === "id" || known === "quoted value") found.set(key, kind);
  };
  scan(entry.message.slice(0, FINGERPRINT_MESSAGE_CHARS), add);
  if (entry.context) {
    let n = 0;
    for (const [key, value] of Object.entries(entry.context)) {
      if (++n > 20) break;
      if (/^(?:x-)?(?:request|req|correlation)[_-]?id$/i.test(key) && typeof value === "string")
        add(value, "request id");
      else if (/^status(?:_?code)?$/i.test(key) && Number(value) >= 400) add(String(value), "status");
      else if (typeof value === "string" && value.length <= 200) scan(value, add);
    }
  }
  if (entry.source && SERVER_SYSTEMS.has(entry.system) && /[:/]/.test(entry.source)) add(entry.source, "function");
  return found;
}

function scan(text: string, add: (value: string, kind: IdentifierKind) => void): void {
  for (const m of text.matchAll(IDENTIFIERS)) {
    const g = m.groups!;
    if (g.request) add(g.request, "request id");
    else if (g.uuid) add(g.uuid, "uuid");
    else if (g.status) add(g.status, "status");
    else if (g.dq ?? g.sq ?? g.bq) add((g.dq ?? g.sq ?? g.bq)!, "quoted value");
    else if (g.fn) add(g.fn, "function");
    else if (g.id) add(g.id, "id");
  }
}

/**
 * The distinctive text of a message, lowercased: first line without `[tags]`, "Uncaught" and the error
 * class, e.g. "message too long" from "Uncaught Error: Message too long". "" when too short to mean much.
 */
export function coreText(message: string): string {
  const firstLine = messageText(message.slice(0, FINGERPRINT_MESSAGE_CHARS)).split("\n", 1)[0]!;
  const core = firstLine
    .replace(/^(?:\s*\[[^\]]{0,120}\])+/, "")
    .replace(/^\s*Uncaught\s+(?:\(in promise\)\s+)?/i, "")
    .replace(/^\s*[A-Z][\w$]*(?:Error|Exception)\s*:\s*/, "")
    .trim()
    .toLowerCase();
  return core.length >= 12 ? core : "";
}
