// Size bounds applied before redaction as well as after it: no scan ever reads more than a bounded prefix of what
// a client sent (a 1 MiB message costs what its first 9 KiB cost), and nothing deeper than the depth limit is
// walked (a context nested 150,000 levels deep is cut at level 6, never recursed into).
import {
  MAX_CONTEXT_CHARS,
  MAX_CONTEXT_DEPTH,
  MAX_CONTEXT_KEYS,
  MAX_CONTEXT_STRING_CHARS,
  REDACT_LOOKAHEAD_CHARS,
  TRUNCATION_MARKER,
} from "./limits.js";

/** Longest context key kept, characters; longer keys are cut (with the context marked truncated). */
const MAX_CONTEXT_KEY_CHARS = 128;

/**
 * The part of a string redaction reads when the result will be cut at `max`: everything up to `max` plus
 * REDACT_LOOKAHEAD_CHARS, so a secret crossing the cut is still seen whole, without the word cut at the end of that
 * window (a secret cut in half may no longer look like one).
 */
export function redactionWindow(value: string, max: number): string {
  if (value.length <= max + REDACT_LOOKAHEAD_CHARS) return value;
  let end = max + REDACT_LOOKAHEAD_CHARS;
  while (end > max && !/\s/.test(value[end - 1]!)) end--;
  return value.slice(0, end);
}

/** Redacts a bounded prefix of `value` and caps the result at `max` characters with TRUNCATION_MARKER. */
export function capRedacted(value: string, max: number, redact: (s: string) => string): { text: string; cut: boolean } {
  const windowed = value.length > max + REDACT_LOOKAHEAD_CHARS;
  const text = redact(redactionWindow(value, max));
  if (!windowed && text.length <= max) return { text, cut: false };
  return { text: text.slice(0, max) + TRUNCATION_MARKER, cut: true };
}

/**
 * A context cut to its limits before redaction: at most MAX_CONTEXT_DEPTH levels ("[depth limit]" below), at most
 * MAX_CONTEXT_KEYS keys per object and items per array, strings to their redaction window, and reading stops once
 * the strings and keys read exceed the size limit (what follows could never be stored).
 */
export function boundContextInput(value: Record<string, unknown>): { value: Record<string, unknown>; cut: boolean } {
  let cut = false;
  let budget = MAX_CONTEXT_CHARS + REDACT_LOOKAHEAD_CHARS;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") {
      const windowed = redactionWindow(v, MAX_CONTEXT_STRING_CHARS);
      if (windowed.length < v.length) cut = true;
      budget -= windowed.length;
      return windowed;
    }
    budget -= 8;
    if (v === null || typeof v !== "object") return v;
    if (depth >= MAX_CONTEXT_DEPTH) {
      cut = true;
      return "[depth limit]";
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const item of v) {
        if (out.length >= MAX_CONTEXT_KEYS || budget <= 0) {
          cut = true;
          break;
        }
        out.push(walk(item, depth + 1));
      }
      return out;
    }
    const entries: Array<[string, unknown]> = [];
    for (const key of Object.keys(v)) {
      if (entries.length >= MAX_CONTEXT_KEYS || budget <= 0) {
        cut = true;
        break;
      }
      let name = key;
      if (name.length > MAX_CONTEXT_KEY_CHARS) {
        name = name.slice(0, MAX_CONTEXT_KEY_CHARS) + "…";
        cut = true;
      }
      budget -= name.length;
      entries.push([name, walk((v as Record<string, unknown>)[key], depth + 1)]);
    }
    return Object.fromEntries(entries);
  };
  return { value: walk(value, 0) as Record<string, unknown>, cut };
}

/** The stored context: strings capped (redaction may lengthen them) and the whole within MAX_CONTEXT_CHARS of JSON. */
export function capContext(value: Record<string, unknown>): { value: Record<string, unknown>; cut: boolean } {
  let cut = false;
  const cap = (v: unknown): unknown => {
    if (typeof v === "string") {
      if (v.length <= MAX_CONTEXT_STRING_CHARS) return v;
      cut = true;
      return v.slice(0, MAX_CONTEXT_STRING_CHARS) + TRUNCATION_MARKER;
    }
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(cap);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cap(x)]));
  };
  let bounded = cap(value) as Record<string, unknown>;
  const json = JSON.stringify(bounded);
  if (json.length > MAX_CONTEXT_CHARS) {
    cut = true;
    bounded = { "[truncated]": json.slice(0, MAX_CONTEXT_CHARS) + TRUNCATION_MARKER };
  }
  return { value: bounded, cut };
}
