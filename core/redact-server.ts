// The server's redaction, the authority over what is stored: the clients' rules (redact.ts) plus what they leave
// out to stay small: a wider vocabulary of secret names (smtp_pass, db_pwd, access_key, passwort, contraseña...),
// values of several words, in brackets or quotes, URL parameters, URL-encoded JSON, header lists and HAR-style
// {name, value} pairs, and secrets used as object keys. Every scan is linear in its input.
import {
  REDACTED,
  isCardNumber,
  isSensitiveKey,
  redactSecretShapes,
  redactString,
  type RedactPattern,
} from "./redact.js";

// Names, split into lower-case words joined by "_" (`smtpPass` -> smtp_pass, `X-Amz-Signature` -> x_amz_signature).
// Anywhere in the name: password-like words, secrets, keys that grant access. At the end only: words that are
// also ordinary nouns inside longer names (`token_count`, `max_tokens`, `author` and `session_total` stay).
const SECRET_NAME =
  /pass(?:wd|word|wort|phrase|code)|contrase(?:ñ|n)a|secret|private_?key|api_?key|access_?key|credential|(?:^|_)(?:pass|passe|pwd|pw|sig|sid|otp|pin)$|(?:token|cookies?|auth|authorization|session|session_?id|jwt|signature)$/;
// The names under which even a single plain word is a value: `password: hunter`, unlike `Token: Not Found`.
const STRONG_NAME = /pass|pwd|(?:^|_)pw$|contrase|secret|key|credential|otp|(?:^|_)pin$/;
// URL parameters that carry credentials although their names are generic (OAuth codes, signed URLs, API keys).
const SECRET_PARAM = /^(?:key|sig|code|signature|x-(?:amz|goog)-(?:signature|credential|security-token))$/i;

/** A name as SECRET_NAME reads it. */
function nameWords(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[-\s.]+/g, "_");
}

/** True when a key or header name holds a secret (everything redact.ts knows, and more). */
export function isSecretName(name: string): boolean {
  if (name.length > 64) return false;
  return isSensitiveKey(name) || SECRET_NAME.test(nameWords(name));
}

/** True when a URL parameter (or a HAR query-string entry) of this name holds a secret: also key, sig, code. */
export function isSecretParam(name: string): boolean {
  return isSecretName(name) || SECRET_PARAM.test(name);
}

/** Redacts a string: secret names followed by values, URL parameters, value shapes, and the extra patterns. */
export function redactText(s: string, extra: readonly RedactPattern[] = []): string {
  let out = redactOnce(s, extra);
  // URL-encoded text (a query string holding JSON, a redirect URL): redact what the decoded text shows. The
  // decoded form is kept only when it held something to redact.
  for (let round = 0; round < 2 && ENCODED_SEPARATOR.test(out); round++) {
    const decoded = percentDecode(out);
    const redacted = redactOnce(decoded, extra);
    if (redacted === decoded) break;
    out = redacted;
  }
  return out;
}

function redactOnce(s: string, extra: readonly RedactPattern[]): string {
  let out = s;
  if (NAME_HINT.test(out) && /[=:]/.test(out)) out = redactNamedValues(out);
  if (/[?&]/.test(out)) out = out.replace(URL_PARAM, redactParam);
  return redactString(out, extra);
}

const ENCODED_SEPARATOR = /%(?:2[27]|3[adAD]|7[bB])/;

/** Decodes %XX escapes of ASCII characters; everything else is kept as it is. */
function percentDecode(s: string): string {
  return s.replace(/%([0-7][0-9a-fA-F])/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const URL_PARAM = /([?&])([^=&#\s?]{1,64})=([^&#\s"'<>]*)/g;

function redactParam(match: string, sep: string, name: string, value: string): string {
  if (!value || value === REDACTED || !isSecretParam(decodeName(name))) return match;
  return `${sep}${name}=${REDACTED}`;
}

function decodeName(name: string): string {
  return name.includes("%") ? percentDecode(name) : name;
}

// A word that may be (part of) a secret name; the whole word around it is then checked with isSecretName.
const NAME_HINT = /pass|pwd|pw|contrase|secret|key|credential|token|cookie|auth|session|jwt|sig|sid|otp|pin/i;
const NAME_WORD = /pass|pwd|pw|contrase|secret|key|credential|token|cookie|auth|session|jwt|sig|sid|otp|pin/gi;
/** Longest value redacted after a name, characters (a quote that never closes ends here). */
const VALUE_MAX_CHARS = 1024;
/** Longest multi-word value after a password-like name, characters. */
const PHRASE_MAX_CHARS = 256;
const SCHEME = /^(?:Bearer|Basic|Token|Digest)[ \t]+/i;

function isNameChar(c: string | undefined): boolean {
  return c !== undefined && /[\w.\-ñÑ]/.test(c);
}
function isBlank(c: string | undefined): boolean {
  return c === " " || c === "\t";
}
/** Ends an unquoted value: whitespace, quotes, list and markup separators, brackets. */
function endsValue(c: string): boolean {
  return /[\s"'`&,;<>{}[\]()\\]/.test(c);
}
/** Ends a multi-word value: a line break or a clause separator. */
function endsPhrase(c: string): boolean {
  return /[\r\n"'`&,;<>{}[\]()]/.test(c);
}

/**
 * `name = value` and `name: value` in free text and serialised JSON, for every secret name (isSecretName).
 * Quoted and bracketed values are redacted whole; after a password-like name and a space, so is the rest of the
 * clause (`password: correct horse battery staple`). A plain word after a bare colon under any other name is
 * prose or a function path (`Refresh Token: Not Found`, `auth:sendPhoneCode`) and is kept. Never matches its own
 * output. One pass: each character is looked at a bounded number of times.
 */
function redactNamedValues(s: string): string {
  let out = "";
  let last = 0;
  NAME_WORD.lastIndex = 0;
  for (let hit = NAME_WORD.exec(s); hit; hit = NAME_WORD.exec(s)) {
    let start = hit.index;
    while (start > 0 && hit.index - start <= 64 && isNameChar(s[start - 1])) start--;
    let end = hit.index + hit[0].length;
    while (isNameChar(s[end])) end++;
    NAME_WORD.lastIndex = end;
    if (start < last || isNameChar(s[start - 1]) || !isSecretName(s.slice(start, end))) continue;
    const name = s.slice(start, end);
    let i = end;
    let quotedName = false;
    if (s[i] === "\\" && (s[i + 1] === '"' || s[i + 1] === "'")) i += 2;
    else if (s[i] === '"' || s[i] === "'") i++;
    if (i > end) quotedName = true;
    while (isBlank(s[i])) i++;
    const sep = s[i];
    if (sep !== "=" && sep !== ":") continue;
    i++;
    const spaced = isBlank(s[i]);
    while (isBlank(s[i])) i++;
    let quote = "";
    if (s[i] === "\\" && (s[i + 1] === '"' || s[i + 1] === "'")) quote = s.slice(i, i + 2);
    else if (s[i] === '"' || s[i] === "'" || s[i] === "`") quote = s[i]!;
    i += quote.length;
    const scheme = SCHEME.exec(s.slice(i, i + 16));
    if (scheme) i += scheme[0].length;
    if (s.startsWith(REDACTED, i)) {
      NAME_WORD.lastIndex = i + REDACTED.length;
      continue;
    }
    const valueEnd = quote
      ? closingQuote(s, i, quote)
      : (bracketEnd(s, i) ?? plainValueEnd(s, i, name, { sep, spaced, quotedName, scheme: scheme !== null }));
    if (valueEnd <= i) continue;
    out += s.slice(last, i) + REDACTED;
    last = valueEnd;
    NAME_WORD.lastIndex = valueEnd;
  }
  return last === 0 ? s : out + s.slice(last);
}

/** Where a quoted value ends (at its closing quote, escapes skipped), within VALUE_MAX_CHARS and the line. */
function closingQuote(s: string, from: number, quote: string): number {
  const limit = Math.min(s.length, from + VALUE_MAX_CHARS);
  for (let j = from; j < limit; j++) {
    if (s.startsWith(quote, j)) return j;
    if (s[j] === "\n") return j;
    if (s[j] === "\\" && quote.length === 1) j++;
  }
  return limit;
}

const CLOSERS: Record<string, string> = { "[": "]", "(": ")", "{": "}", "<": ">" };

/** Where a bracketed value ends (after its closer on the same line), or undefined when it is not bracketed. */
function bracketEnd(s: string, from: number): number | undefined {
  const closer = CLOSERS[s[from] ?? ""];
  if (!closer) return undefined;
  const limit = Math.min(s.length, from + VALUE_MAX_CHARS);
  for (let j = from + 1; j < limit && s[j] !== "\n"; j++) if (s[j] === closer) return j + 1;
  return undefined;
}

function plainValueEnd(
  s: string,
  from: number,
  name: string,
  how: { sep: string; spaced: boolean; quotedName: boolean; scheme: boolean },
): number {
  let j = from;
  while (j < s.length && !endsValue(s[j]!)) j++;
  if (j === from) return from;
  const strong = STRONG_NAME.test(nameWords(name));
  if (!strong && !how.scheme && how.sep === ":" && !how.quotedName && /^[A-Za-z_]{1,64}$/.test(s.slice(from, j))) {
    return from; // prose or a function path
  }
  if (strong && how.spaced) {
    const limit = Math.min(s.length, from + PHRASE_MAX_CHARS);
    while (j < limit && !endsPhrase(s[j]!)) j++;
    while (j > from && /\s/.test(s[j - 1]!)) j--;
  }
  return j;
}

/** Marker for an object key that was itself a secret; a number follows when several were. */
const REDACTED_KEY = REDACTED;

/**
 * Returns a copy of an already bounded JSON value (no cycles, shallow enough to recurse) with secrets replaced:
 * everything under a secret key, the value after a secret name in a list (`["cookie", "sid=..."]`, flat header
 * lists), the `value` of a `{ name, value }` pair with a secret name (HAR headers, cookies, query strings),
 * secret-looking keys, and secret-looking text anywhere.
 */
export function redactTree(value: unknown, extra: readonly RedactPattern[] = []): unknown {
  if (typeof value === "string") return redactText(value, extra);
  if (typeof value === "number") return Number.isSafeInteger(value) && isCardNumber(String(value)) ? REDACTED : value;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out.push(redactTree(item, extra));
      if (typeof item === "string" && i + 1 < value.length && isSecretName(item) && hasValue(value[i + 1])) {
        out.push(REDACTED);
        i++;
      }
    }
    return out;
  }
  const record = value as Record<string, unknown>;
  const pairName = typeof record.name === "string" ? record.name : typeof record.key === "string" ? record.key : "";
  const entries: Array<[string, unknown]> = [];
  const keys = new Set<string>();
  for (const [key, item] of Object.entries(record)) {
    let safeKey = redactSecretShapes(key) === key ? key : REDACTED_KEY;
    for (let n = 2; keys.has(safeKey); n++) safeKey = `${REDACTED_KEY}${n}`;
    keys.add(safeKey);
    const secret = isSecretName(key) || (key === "value" && pairName !== "" && isSecretParam(pairName));
    entries.push([safeKey, secret && hasValue(item) ? REDACTED : redactTree(item, extra)]);
  }
  return Object.fromEntries(entries);
}

function hasValue(v: unknown): boolean {
  return v !== null && v !== undefined && v !== "";
}
