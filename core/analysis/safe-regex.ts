// Search patterns come from agents and run on the Worker's CPU budget, where a regex cannot be
// interrupted. A backtracking engine costs up to about n^(k+1) steps for k unbounded quantifiers on n
// characters, so patterns are checked before they run and the text they see shrinks as k grows.
import { InputError } from "../errors.js";
import { REGEX_INPUT_CHARS, REGEX_MAX_CHARS, REGEX_MAX_UNBOUNDED } from "./limits.js";

export interface SafeRegex {
  /** Compiled case-insensitive, with a redundant leading or trailing `.*` removed. */
  regex: RegExp;
  /** Characters of each message and stack the pattern is tested against. */
  inputChars: number;
  /** Unbounded quantifiers (*, +, {n,}) left after simplification. */
  unbounded: number;
}

/**
 * Rejects what can backtrack catastrophically: more than REGEX_MAX_CHARS characters, a repeated group
 * that repeats inside ((a+)+, (\w*\s?)*) or holds alternatives ((a|aa)+), backreferences, and more than
 * REGEX_MAX_UNBOUNDED unbounded quantifiers. Each message says what to change.
 */
export function checkRegex(pattern: string): SafeRegex {
  if (pattern.length > REGEX_MAX_CHARS) {
    throw new InputError(
      `regex is ${pattern.length} characters long; the limit is ${REGEX_MAX_CHARS}. Use a shorter pattern or text.`,
    );
  }
  // An unanchored search needs no `.*` at either end; removing it takes a factor n off the worst case.
  const simplified = pattern.replace(/^(?:\.\*\??)+/, "").replace(/([^\\])(?:\.\*\??)+$/, "$1");
  let regex: RegExp;
  try {
    regex = new RegExp(simplified, "i");
  } catch (error) {
    throw new InputError(`regex does not compile: ${(error as Error).message}`);
  }
  const unbounded = scan(simplified);
  if (unbounded > REGEX_MAX_UNBOUNDED) {
    throw new InputError(
      `regex has ${unbounded} unbounded quantifiers (*, +, {n,}); the limit is ${REGEX_MAX_UNBOUNDED}. Search for the most distinctive part, or use text.`,
    );
  }
  return { regex, inputChars: REGEX_INPUT_CHARS[unbounded] ?? 0, unbounded };
}

interface Group {
  quantified: boolean;
  alternation: boolean;
}

/** Walks the pattern once; returns the count of unbounded quantifiers, throws on dangerous shapes. */
function scan(pattern: string): number {
  const groups: Group[] = [{ quantified: false, alternation: false }];
  let unbounded = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "(") {
      groups.push({ quantified: false, alternation: false });
      if (pattern[i + 1] === "?") i++; // (?: (?= (?<name> are group syntax, not quantifiers
      continue;
    }
    if (c === "|") {
      groups[groups.length - 1]!.alternation = true;
      continue;
    }
    let end = i; // last character of the atom a quantifier would apply to
    let closed: Group | undefined;
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k") {
        throw new InputError("regex backreferences (\\1, \\k<name>) are not supported: they can take exponential time");
      }
      end = i + 1;
    } else if (c === "[") end = classEnd(pattern, i);
    else if (c === ")") closed = groups.length > 1 ? groups.pop() : undefined;
    const q = quantifierAt(pattern, end + 1);
    if (q?.repeats && closed?.quantified) {
      throw new InputError(
        `regex has a nested quantifier near "${pattern.slice(0, end + 1 + q.length)}": a repeated group that repeats inside can take exponential time. Repeat the inner part only, e.g. \\d+\\.\\d+ instead of (\\d+\\.)+`,
      );
    }
    if (q?.repeats && closed?.alternation) {
      throw new InputError(
        `regex repeats a group of alternatives near "${pattern.slice(0, end + 1 + q.length)}", which can take exponential time. Use the alternatives without repeating the group, e.g. (foo|bar)`,
      );
    }
    const current = groups[groups.length - 1]!;
    if (q || closed?.quantified) current.quantified = true;
    // Alternatives inside a group inside a repeated group are just as ambiguous: pass the mark up.
    if (closed?.alternation) current.alternation = true;
    if (q?.unbounded) unbounded++;
    i = end + (q?.length ?? 0);
  }
  return unbounded;
}

/** The quantifier starting at i (with its lazy `?`), if any. `repeats`: it can match more than once. */
function quantifierAt(
  pattern: string,
  i: number,
): { length: number; unbounded: boolean; repeats: boolean } | undefined {
  const c = pattern[i];
  let q: { length: number; unbounded: boolean; repeats: boolean };
  if (c === "*" || c === "+") q = { length: 1, unbounded: true, repeats: true };
  else if (c === "?") q = { length: 1, unbounded: false, repeats: false };
  else if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
    if (!m) return undefined;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === "" ? Infinity : Number(m[3]);
    q = { length: m[0].length, unbounded: max === Infinity, repeats: max > 1 };
  } else return undefined;
  if (pattern[i + q.length] === "?") q.length++;
  return q;
}

/** Index of the `]` closing the class opened at start (in JS, `[]` is an empty class). */
function classEnd(pattern: string, start: number): number {
  for (let i = start + 1; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "]") return i;
  }
  return pattern.length;
}
