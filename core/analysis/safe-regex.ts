// Search patterns come from agents and run on the Worker's CPU budget, where a regex cannot be
// interrupted. A backtracking engine costs up to about n^(k+1) steps for k unbounded quantifiers on n
// characters, so patterns are checked before they run and the text they see shrinks as k grows. Bounded repeats
// and alternatives multiply the ways to match as well (\w{0,9999} three times is n^4; (a|a) twenty times is 2^20):
// the text is also shortened until an estimate of the total work fits REGEX_WORK_MAX.
import { InputError } from "../errors.js";
import {
  REGEX_INPUT_CHARS,
  REGEX_MAX_CHARS,
  REGEX_MAX_UNBOUNDED,
  REGEX_MIN_INPUT_CHARS,
  REGEX_WORK_MAX,
} from "./limits.js";

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
  const shape = scan(simplified);
  const { unbounded } = shape;
  if (unbounded > REGEX_MAX_UNBOUNDED) {
    throw new InputError(
      `regex has ${unbounded} unbounded quantifiers (*, +, {n,}); the limit is ${REGEX_MAX_UNBOUNDED}. Search for the most distinctive part, or use text.`,
    );
  }
  const inputChars = longestInput(shape, REGEX_INPUT_CHARS[unbounded] ?? 0);
  if (inputChars < REGEX_MIN_INPUT_CHARS) {
    throw new InputError(
      `regex has too many ways to match (${shape.repeats.length} repeats and ${shape.alternatives.length} groups of alternatives multiply): even on ${REGEX_MIN_INPUT_CHARS} characters it could take too long. Use fewer bounded repeats such as {1,5}, optional parts or alternatives, or search with text.`,
    );
  }
  return { regex, inputChars, unbounded };
}

/** What multiplies a pattern's work: each quantifier (its possible repeat counts) and each group of alternatives. */
interface Shape {
  unbounded: number;
  repeats: Array<{ min: number; max: number }>;
  alternatives: number[];
}

/**
 * The longest text (at most `cap`) on which the estimated work fits REGEX_WORK_MAX: for n characters, n start
 * positions times the product of every quantifier's repeat counts (at most n + 1) and every group's alternatives,
 * times the number of those choices (the length of one attempt). Computed in log2 so nothing overflows.
 */
function longestInput(shape: Shape, cap: number): number {
  const budget = Math.log2(REGEX_WORK_MAX);
  const choices = shape.repeats.length + shape.alternatives.length;
  const fixed = Math.log2(Math.max(1, choices)) + shape.alternatives.reduce((sum, a) => sum + Math.log2(a), 0);
  const work = (n: number) =>
    Math.log2(n) +
    fixed +
    shape.repeats.reduce((sum, q) => sum + Math.log2(Math.max(1, Math.min(q.max, n) - Math.min(q.min, n) + 1)), 0);
  let lo = 0;
  let hi = cap;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (work(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

interface Group {
  quantified: boolean;
  alternation: boolean;
  /** Alternatives directly in this group (1 + its `|`s). */
  branches: number;
}

/** Walks the pattern once; returns what multiplies its work, throws on dangerous shapes. */
function scan(pattern: string): Shape {
  const groups: Group[] = [{ quantified: false, alternation: false, branches: 1 }];
  const shape: Shape = { unbounded: 0, repeats: [], alternatives: [] };
  let unbounded = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "(") {
      groups.push({ quantified: false, alternation: false, branches: 1 });
      if (pattern[i + 1] === "?") i++; // (?: (?= (?<name> are group syntax, not quantifiers
      continue;
    }
    if (c === "|") {
      groups[groups.length - 1]!.alternation = true;
      groups[groups.length - 1]!.branches++;
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
    if (closed && closed.branches > 1) shape.alternatives.push(closed.branches);
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
    if (q && q.max !== q.min) shape.repeats.push({ min: q.min, max: q.max });
    i = end + (q?.length ?? 0);
  }
  if (groups[0]!.branches > 1) shape.alternatives.push(groups[0]!.branches);
  shape.unbounded = unbounded;
  return shape;
}

/** The quantifier starting at i (with its lazy `?`), if any. `repeats`: it can match more than once. */
function quantifierAt(
  pattern: string,
  i: number,
): { length: number; unbounded: boolean; repeats: boolean; min: number; max: number } | undefined {
  const c = pattern[i];
  let q: { length: number; unbounded: boolean; repeats: boolean; min: number; max: number };
  if (c === "*" || c === "+") q = { length: 1, unbounded: true, repeats: true, min: c === "*" ? 0 : 1, max: Infinity };
  else if (c === "?") q = { length: 1, unbounded: false, repeats: false, min: 0, max: 1 };
  else if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
    q = { length: m[0].length, unbounded: max === Infinity, repeats: max > 1, min, max };
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
