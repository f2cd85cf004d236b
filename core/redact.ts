// Server-side redaction (defence in depth; the clients redact too): values under sensitive keys
// and secret-looking values anywhere become [REDACTED] before anything reaches storage.

export const REDACTED = "[REDACTED]";

const SENSITIVE_KEY =
  /^(?:pass(?:word|wd|phrase)?|pwd|secret|.*[_-]?secret|token|.*[_-]?token|auth|authorization|proxy[_-]?authorization|cookie|set[_-]?cookie|api[_-]?key|x[_-]?api[_-]?key|private[_-]?key|access[_-]?key|session(?:[_-]?id)?|sid|credentials?|otp|cvv|cvc|ssn)$/i;

/** Secret-looking substrings, replaced wherever they appear. Ordered: most specific first. */
const SECRET_PATTERNS: RegExp[] = [
  /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, // JWT
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, // Authorization header values
  /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/g, // Stripe
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g, // GitHub
  /\bgithub_pat_[A-Za-z0-9_]{40,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API key
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}/g, // OpenAI / Anthropic style
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /([?&](?:token|access_token|api_key|apikey|key|secret|password|sig|signature|auth)=)[^&#\s"']+/gi, // URL params
];

const CARD_CANDIDATE = /\b(?:\d[ -]?){12,18}\d\b/g;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

/** Replaces secret-looking substrings (and card numbers that pass Luhn) in a string. */
export function redactString(value: string, extra: RegExp[] = []): string {
  let out = value;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, ...groups) => {
      const prefix = typeof groups[0] === "string" && match.startsWith(groups[0]) ? groups[0] : "";
      return prefix && /[?&=]$/.test(prefix) ? prefix + REDACTED : prefix ? `${prefix} ${REDACTED}` : REDACTED;
    });
  }
  out = out.replace(CARD_CANDIDATE, (match) => (luhn(match.replace(/[ -]/g, "")) ? REDACTED : match));
  for (const pattern of extra) {
    pattern.lastIndex = 0;
    out = out.replace(pattern, REDACTED);
  }
  return out;
}

/** Deep copy with values under sensitive keys and secret-looking strings redacted. Handles cycles. */
export function redactValue<T>(value: T, extra: RegExp[] = [], seen = new WeakSet<object>()): T {
  if (typeof value === "string") return redactString(value, extra) as T;
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[Circular]" as T;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, extra, seen)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSensitiveKey(key) && v !== null && v !== "" ? REDACTED : redactValue(v, extra, seen);
  }
  return out as T;
}

function luhn(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
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
