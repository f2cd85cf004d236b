// Redaction rules shared by the clients (before anything leaves the app) and the ingestion server (defence in depth).
// Pure functions, no dependencies, no globals: safe to bundle into a browser page, a Convex action or a Worker.

/** What every redacted value becomes. */
export const REDACTED = "[REDACTED]";

/** A pattern to redact: a RegExp (all matches are replaced) or a literal substring. */
export type RedactPattern = RegExp | string;

// Keys whose values are always secret. Matched on the lower-cased key with `-` and spaces turned into `_`, so
// `X-API-Key`, `apiKey`, `api_key`, `Set-Cookie`, `client_secret`, `accessToken` and `db_password` all match,
// while `max_tokens`, `token_count` and `author` do not.
const SENSITIVE_KEY =
  /pass(?:wd|word|phrase)|secret|private_?key|api_?key|credential|(?:^pass|^pwd|token|cookies?|auth|authorization|session|session_?id|jwt|signature)$/;

/** True when values stored under this key must never leave the app (password, token, cookie, api_key, ...). */
export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key.toLowerCase().replace(/[-\s]/g, "_"));
}

// A sensitive name followed by a value, in free text or serialised JSON: `password=hunter2`, `"token": "abc"`,
// `\"secret\":\"x\"`, `Authorization: Bearer abc` (the scheme is kept). Never matches its own output, so redacting
// twice changes nothing. The name prefix is bounded ({0,30}) so long strings cannot backtrack badly. A plain word
// after a bare colon is prose or a function path, not a value (`Refresh Token: Not Found`, `auth:sendPhoneCode`);
// the server's rules (redact-server.ts) still redact such a word under a password-like name.
const KEY_VALUE =
  /(\\?["']?)\b([\w-]{0,30}?(?:pass(?:wd|word|phrase)?|pwd|secret|token|api[_-]?key|private[_-]?key|auth(?:orization)?|cookie|session(?:[_-]?id)?|jwt))(\\?["']?\s*(?:=|:(?![ \t]*(?!Bearer|Basic|Token)[a-z_]+(?![\w-])))\s*\\?["']?(?:(?:Bearer|Basic|Token)\s+)?)(?!(?:Bearer|Basic|Token)\b)[^\s"'&,;<>{}[\]\\]+/gi;

// A string without any of these words cannot match KEY_VALUE.
const MAY_HAVE_KEY_VALUE = /pass|pwd|secret|token|key|auth|cookie|session|jwt/i;

// Four digits in a row (possibly grouped): a string without them holds no card number.
const DIGIT_RUN = /\d[ -]?\d[ -]?\d[ -]?\d/;

// Values that look like credentials wherever they appear, with what replaces them, and a cheap test that a
// string may contain one.
const SECRET_VALUES: [RegExp, string, RegExp][] = [
  // PEM private keys.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED, /-----BEGIN/],
  // HTTP auth schemes: keep the scheme, drop the credential. ("basic setup" in prose is left alone.)
  [/\b([Bb]earer|Basic)\s+[\w.~+/=-]{6,}/g, `$1 ${REDACTED}`, /earer|Basic/],
  // Credentials in URLs: scheme://user:password@host. (The hint is a plain "@": "//\S*@" would rescan the rest of
  // the string from every "//", quadratic on a run of slashes.)
  [/(\/\/[^\s/:@]+:)[^\s/@]+@/g, `$1${REDACTED}@`, /@/],
  // JSON Web Tokens; Stripe (sk_live_, rk_test_, whsec_); OpenAI/Anthropic (sk-...); AWS access key ids; GitHub;
  // Slack; Google API keys. A match starts only where a run of token characters starts: "\b" also matches inside
  // one ("-eyJ"), and a JWT-like run without its dots would be rescanned to its end once per "eyJ" in it.
  [
    /(^|[^\w-])(?:eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*|[sr]k_(?:live|test)_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9]{16,}|sk-[\w-]{20,}|A[KS]IA[0-9A-Z]{16}\b|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,}|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[\w-]{35})/g,
    `$1${REDACTED}`,
    /eyJ|k_(?:live|test)_|whsec_|sk-|A[KS]IA|gh[pousr]_|github_pat_|xox|AIza/,
  ],
];

// 13 to 19 digits, optionally grouped by spaces or dashes; confirmed with the Luhn check and card prefixes below.
const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g;

/** True for 13-19 digit strings that start like a payment card (2-6) and pass the Luhn checksum. */
export function isCardNumber(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, "");
  if (!/^[2-6]\d{12,18}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function asGlobal(pattern: RegExp): RegExp {
  return pattern.global ? pattern : new RegExp(pattern.source, pattern.flags + "g");
}

/** Replaces secret-looking parts of a string (credentials, tokens, API keys, card numbers, extra patterns). */
export function redactString(s: string, extraPatterns: readonly RedactPattern[] = []): string {
  let out = s;
  // Cheap tests first: most log lines hold no secret, and each full pattern costs a scan of the string.
  if (MAY_HAVE_KEY_VALUE.test(out) && /[=:]/.test(out)) {
    out = out.replace(KEY_VALUE, `$1$2$3${REDACTED}`);
  }
  for (const [pattern, replacement, hint] of SECRET_VALUES) {
    if (hint.test(out)) out = out.replace(pattern, replacement);
  }
  if (DIGIT_RUN.test(out)) out = out.replace(CARD_CANDIDATE, (m) => (isCardNumber(m) ? REDACTED : m));
  for (const pattern of extraPatterns) {
    out =
      typeof pattern === "string"
        ? pattern
          ? out.split(pattern).join(REDACTED)
          : out
        : out.replace(asGlobal(pattern), REDACTED);
  }
  return out;
}

/**
 * Returns a copy of a JSON-like value with secrets replaced: everything under a sensitive key, and secret-looking
 * strings (and card-number integers) anywhere. Cycles become "[Circular]"; non-plain objects are kept as they are.
 */
export function redactValue<T>(value: T, extraPatterns: readonly RedactPattern[] = []): T {
  return walk(value, extraPatterns, new WeakSet()) as T;
}

function walk(value: unknown, extra: readonly RedactPattern[], seen: WeakSet<object>): unknown {
  if (typeof value === "string") return redactString(value, extra);
  if (typeof value === "number") return Number.isSafeInteger(value) && isCardNumber(String(value)) ? REDACTED : value;
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  let out: unknown = value;
  if (Array.isArray(value)) {
    out = value.map((item) => walk(item, extra, seen));
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        copy[key] = isSensitiveKey(key) && item != null && item !== "" ? REDACTED : walk(item, extra, seen);
      }
      out = copy;
    }
  }
  seen.delete(value);
  return out;
}

/** Only the value shapes (tokens, keys, URL credentials, card numbers), for text that is never a `name=value` list. */
export function redactSecretShapes(s: string): string {
  let out = s;
  for (const [pattern, replacement, hint] of SECRET_VALUES) {
    if (hint.test(out)) out = out.replace(pattern, replacement);
  }
  if (DIGIT_RUN.test(out)) out = out.replace(CARD_CANDIDATE, (m) => (isCardNumber(m) ? REDACTED : m));
  return out;
}
