// Token budgets for answers: how many characters a budget allows, and the room left while an answer is
// built, each part charged the longer of its JSON and its text so both forms stay within it.
import {
  ANSWER_MAX_CHARS,
  CHARS_PER_TOKEN,
  DEFAULT_TOKEN_BUDGET,
  MAX_TOKEN_BUDGET,
  MIN_TOKEN_BUDGET,
} from "./limits.js";

/** Rough token count of a text (~4 characters per token). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** The budget to use: DEFAULT_TOKEN_BUDGET when absent, clamped to [MIN_TOKEN_BUDGET, MAX_TOKEN_BUDGET]. */
export function resolveBudget(tokens?: number): number {
  if (tokens === undefined || !Number.isFinite(tokens)) return DEFAULT_TOKEN_BUDGET;
  return Math.min(MAX_TOKEN_BUDGET, Math.max(MIN_TOKEN_BUDGET, Math.floor(tokens)));
}

/** Characters a token budget allows. */
export function budgetChars(tokens: number): number {
  return tokens * CHARS_PER_TOKEN;
}

/**
 * Characters an answer may use: the token budget, but never more than ANSWER_MAX_CHARS. Both forms of an
 * answer (its structured JSON and its text) are held to this.
 */
export function answerChars(tokens?: number): number {
  return Math.min(budgetChars(resolveBudget(tokens)), ANSWER_MAX_CHARS);
}

/** Room left in an answer. Every part is charged the longer of its JSON and its text, plus a separator. */
export class Room {
  used = 0;
  constructor(readonly max: number) {}

  get left(): number {
    return this.max - this.used;
  }

  /** Takes `value` (with its text form) when it fits; false when it does not. */
  take(value: unknown, text = ""): boolean {
    const cost = sizeOf(value, text);
    if (this.used + cost > this.max) return false;
    this.used += cost;
    return true;
  }

  /** Charges `value` whether or not it fits (parts every answer must carry). */
  charge(value: unknown, text = ""): void {
    this.used += sizeOf(value, text);
  }
}

/** The longer of a value's JSON and its text, plus one for a separator. */
export function sizeOf(value: unknown, text = ""): number {
  return Math.max(JSON.stringify(value)?.length ?? 0, text.length) + 1;
}
