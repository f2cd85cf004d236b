// What makes an entry a failure, and which identifiers and text two entries can share: the raw
// signals error chains are built from.
import type { LogEntry, System } from "../schema.js";
import { messageText } from "./fingerprint.js";
import { FINGERPRINT_MESSAGE_CHARS, IDENTIFIERS_PER_ENTRY } from "./limits.js";
import { isNoise } from "./noise.js";

const FAILURE_WORDS =
  /\b(?:fail(?:s|ed|ure|ing)?|errors?|exception|timed? ?out|timeout|retry(?:ing)?|retries|unavailable|refused|reset|abort(?:ed)?|crash(?:ed)?|denied|unauthori[sz]ed|forbidden|rejected|gave up|giving up)\b|\b(?:status|http|code)\D{0,3}5\d\d\b|\b5\d\d (?:internal|bad gateway|service unavailable|gateway timeout)/i;
const RETRY_WORDS = /\b(?:retry(?:ing)?|retries|attempt|backoff|back(?:ing)? off|reconnect(?:ing)?)\b/i;

/** Servers (higher tier) originate failures that clients report. */
export const SERVER_SYSTEMS: ReadonlySet<System> = new Set<System>(["convex", "worker"]);

/**
 * Level error, or a warning that reads like a failure (failed, timeout, retrying, status 5xx...); never
 * noise (deprecations, [Violation], React development warnings: see noise.ts).
 */
export function isFailure(entry: LogEntry): boolean {
  if (entry.level !== "error" && entry.level !== "warn") return false;
  let known = failureCache.get(entry);
  if (known === undefined) {
    known =
      !isNoise(entry) &&
      (entry.level === "error" ||
        FAILURE_WORDS.test(entry.message.slice(0, FINGERPRINT_MESSAGE_CHARS)) ||
        contextStatus(entry) >= 500);
    failureCache.set(entry, known);
  }
  return known;
}

/** Several passes ask about the same entry; the answer depends only on the entry, which is never mutated. */
const failureCache = new WeakMap<LogEntry, boolean>();

/**
 * A server line that is not a failure by level or wording but answered a request with a 4xx or 5xx
 * ("OPTIONS /v1/checkout 405 Method Not Allowed" at info). It can be a cause when hops tie it to a failure.
 */
export function isSuspect(entry: LogEntry): boolean {
  if (!SERVER_SYSTEMS.has(entry.system) || entry.level === "debug" || isFailure(entry)) return false;
  if (contextStatus(entry) >= 400) return true;
  const text = entry.message.slice(0, FINGERPRINT_MESSAGE_CHARS);
  STATUS_PATTERN.lastIndex = 0;
  return STATUS_PATTERN.test(text);
}

/** An entry that belongs in a retry storm: a failure, or any entry that talks about retrying. */
export function isRetryLike(entry: LogEntry): boolean {
  return isFailure(entry) || isRetryMessage(entry.message);
}

/** "retrying", "attempt 3/5", "backing off", "reconnecting"... */
export function isRetryMessage(message: string): boolean {
  return RETRY_WORDS.test(message.slice(0, FINGERPRINT_MESSAGE_CHARS));
}

/** "retrying in 50ms", "reconnecting" or a timeout: the entry is an attempt of an operation. */
export function isAttempt(message: string): boolean {
  const text = message.slice(0, FINGERPRINT_MESSAGE_CHARS);
  return RETRY_WORDS.test(text) || TIMEOUT_WORDS.test(text);
}

const TIMEOUT_WORDS = /\btimed? ?out\b|\btimeout\b|deadline exceeded|\bETIMEDOUT\b/i;
/** The end of a retried operation: "after 3 attempts", "gave up", "retries exhausted". */
const TERMINAL_RETRY =
  /\bafter \d+ (?:attempts|retries|tries)\b|\bgave up\b|\bgiving up\b|\bretries exhausted\b|\bmax(?:imum)? retries\b/i;
const SUCCESS_WORDS =
  /\b(?:succeeded|success(?:ful(?:ly)?)?|recovered|reconnected|connected|restored|resolved|completed|back online)\b/i;

export function isTerminalRetry(message: string): boolean {
  return TERMINAL_RETRY.test(message.slice(0, FINGERPRINT_MESSAGE_CHARS));
}

/** A line that reports an operation working ("succeeded on attempt 2", "WebSocket reconnected"). */
export function isSuccess(entry: LogEntry): boolean {
  return !isFailure(entry) && SUCCESS_WORDS.test(entry.message.slice(0, FINGERPRINT_MESSAGE_CHARS));
}

/** Kinds of failure, as bits: two failures of one kind close together are weakly related. */
export const TOPICS: ReadonlyArray<{ name: string; test: RegExp }> = [
  {
    name: "authentication",
    test: /\b(?:401|403|unauthori[sz]ed|unauthenticated|forbidden|jwt|(?:access|refresh|session|auth) ?token|session (?:expired|invalid|not found)|not (?:authenticated|logged in)|invalid (?:token|credentials))\b/i,
  },
  {
    name: "network",
    test: /failed to fetch|networkerror|network error|net::ERR_|\bECONNRESET\b|\bECONNREFUSED\b|socket hang up|\bload failed\b|fetch failed|blocked by CORS policy/i,
  },
  { name: "timeout", test: /\btimed? ?out\b|\btimeout\b|deadline exceeded|\bETIMEDOUT\b|\b504\b/i },
  { name: "rate limit", test: /\b429\b|rate.?limit|too many requests/i },
  { name: "CORS", test: /\bCORS\b|preflight|access-control-allow/i },
  { name: "size limit", test: /\b413\b|too large|exceeds? the (?:limit|maximum)/i },
];

/** Bit set of TOPICS the message belongs to. */
export function failureTopics(message: string): number {
  const text = message.slice(0, FINGERPRINT_MESSAGE_CHARS);
  let bits = 0;
  TOPICS.forEach((t, i) => {
    if (t.test.test(text)) bits |= 1 << i;
  });
  return bits;
}

export function topicNames(bits: number): string[] {
  return TOPICS.filter((_, i) => bits & (1 << i)).map((t) => t.name);
}

function contextStatus(entry: LogEntry): number {
  const c = entry.context;
  if (!c) return 0;
  const status = c.status ?? c.statusCode ?? c.status_code;
  return typeof status === "number" ? status : Number(status) || 0;
}

export type IdentifierKind = "request id" | "uuid" | "id" | "status" | "quoted value" | "function" | "url";

/**
 * HTTP statuses 4xx/5xx as access logs and browsers print them: "POST /api/x 500", "401 (Unauthorized)",
 * "405 Method Not Allowed". The status group is the code.
 */
const STATUS_PATTERN =
  /\b(?:GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD) \S{1,300} (?<m>[45]\d\d)\b|\b(?<t>[45]\d\d) \(?(?:Bad Request|Unauthorized|Payment Required|Forbidden|Not Found|Method Not Allowed|Request Timeout|Conflict|Gone|Payload Too Large|Unprocessable (?:Entity|Content)|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b/g;

/**
 * URL paths, with or without scheme and host: "/api/orders" from "GET https://shop.example.com/api/orders?x=1".
 * A path starts after a space, quote, parenthesis or host, so dates ("12/1/2026") and relative source
 * paths ("../convex/x.ts") are not paths.
 */
const URL_PATTERN =
  /(?:\b[a-z][a-z0-9+.-]*:\/\/[^\s/'"`<>()]{1,200}|(?<![\w./]))(?<path>\/[a-z_][\w.~%-]{0,100}(?:\/[\w.~%:-]{1,100}){0,12})/gi;

/** Context keys whose string values are ids (request_id, digest, orderId, cf_ray...). */
const ID_KEY = /^(?:x-)?(?:request|req|correlation)[_-]?id$|(?:^|_)(?:id|digest|ray)$|[a-z]Id$/i;

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
  const text = entry.message.slice(0, FINGERPRINT_MESSAGE_CHARS);
  scan(text, add);
  scanHttp(text, add);
  if (entry.context) {
    let n = 0;
    for (const [key, value] of Object.entries(entry.context)) {
      if (++n > 20) break;
      if (/^(?:x-)?(?:request|req|correlation)[_-]?id$/i.test(key) && typeof value === "string")
        add(value, "request id");
      else if (/^status(?:_?code)?$/i.test(key) && Number(value) >= 400) add(String(value), "status");
      else if (
        ID_KEY.test(key) &&
        (typeof value === "string" || typeof value === "number") &&
        String(value).length >= 4
      )
        add(String(value), "id");
      else if (typeof value === "string" && value.length <= 200) {
        scan(value, add);
        scanHttp(value, add);
      }
    }
  }
  if (entry.source && SERVER_SYSTEMS.has(entry.system) && /[:/]/.test(entry.source)) add(entry.source, "function");
  return found;
}

/** URL paths and HTTP statuses (a separate pass: a quoted URL is also a quoted value). */
function scanHttp(text: string, add: (value: string, kind: IdentifierKind) => void): void {
  for (const m of text.matchAll(URL_PATTERN)) {
    const path = m.groups!.path!.replace(/[.,:;]+$/, "").replace(/\/+$/, "");
    if (path.length >= 4) add(path, "url");
  }
  for (const m of text.matchAll(STATUS_PATTERN)) add((m.groups!.m ?? m.groups!.t)!, "status");
}

/**
 * What a hop between systems may rest on, as "kind value" strings: request ids, context ids, URL paths,
 * 4xx/5xx statuses, uuids and entity ids. Cheap: each pattern runs only when a character test says it
 * can match, since hops are looked for at every change of system in the trace.
 */
export function hopKeys(entry: LogEntry): readonly string[] {
  const keys: string[] = [];
  const text = entry.message.slice(0, FINGERPRINT_MESSAGE_CHARS);
  for (const id of requestIds(entry)) keys.push(`request id ${id}`);
  const c = entry.context;
  if (c) {
    let n = 0;
    for (const [key, value] of Object.entries(c)) {
      if (++n > 20) break;
      if (ID_KEY.test(key) && (typeof value === "string" || typeof value === "number") && String(value).length >= 4)
        keys.push(`id ${String(value).toLowerCase()}`);
      else if (/^status(?:_?code)?$/i.test(key) && Number(value) >= 400) keys.push(`status ${String(value)}`);
    }
  }
  if (text.includes("/")) {
    for (const m of text.matchAll(URL_PATTERN)) {
      const path = m.groups!.path!.replace(/[.,:;]+$/, "").replace(/\/+$/, "");
      if (path.length >= 4) keys.push(`URL ${path.toLowerCase()}`);
    }
  }
  if (/[45]\d\d/.test(text))
    for (const m of text.matchAll(STATUS_PATTERN)) keys.push(`status ${m.groups!.m ?? m.groups!.t}`);
  if (/\d[a-z_]|[a-z_]\d/i.test(text)) {
    for (const m of text.matchAll(ENTITY_PATTERN)) {
      const v = m[0].toLowerCase();
      if (v !== entry.trace_id.toLowerCase()) keys.push(`id ${v}`);
    }
  }
  return keys.length ? keys : NO_KEYS;
}

const NO_KEYS: readonly string[] = [];

/** uuids and mixed letter-digit ids of 8+ characters ("jd7f2m0q8x", "inv_29xk0a"). */
const ENTITY_PATTERN =
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b(?=[a-z_-]*\d)(?=\d*[a-z_-])[a-z0-9_-]{8,64}\b/gi;

/** Request ids only (context keys and "request id" phrases): what clock-skew pairs rest on. Cheap. */
export function requestIds(entry: LogEntry): readonly string[] {
  let ids = requestIdCache.get(entry);
  if (!ids) requestIdCache.set(entry, (ids = findRequestIds(entry)));
  return ids;
}

const requestIdCache = new WeakMap<LogEntry, readonly string[]>();

function findRequestIds(entry: LogEntry): readonly string[] {
  const ids: string[] = [];
  const c = entry.context;
  if (c) {
    for (const key of ["request_id", "requestId", "x-request-id", "req_id", "correlation_id"]) {
      const v = c[key];
      if (typeof v === "string" && v.length >= 6) ids.push(v.toLowerCase());
    }
  }
  const text = entry.message.slice(0, FINGERPRINT_MESSAGE_CHARS);
  if (REQUEST_HINT.test(text)) {
    for (const m of text.matchAll(REQUEST_ID_PATTERN)) ids.push(m[1]!.toLowerCase());
  }
  return ids.length ? ids : NO_KEYS;
}

const REQUEST_HINT = /[Rr][Ee][Qq]|[Cc]orrelation/;
const REQUEST_ID_PATTERN =
  /\b(?:x-)?(?:request|req|correlation)[ _-]?id\b["']?\s*[:=]?\s*["']?((?=[\w-]*\d)[\w-]{6,64})/gi;

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
