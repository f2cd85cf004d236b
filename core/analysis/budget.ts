// Token budgets for rendered output: pack blocks until the budget is spent, and say exactly what was
// left out and where to continue. Never cut silently.
import { CHARS_PER_TOKEN, DEFAULT_TOKEN_BUDGET, MAX_TOKEN_BUDGET, MIN_TOKEN_BUDGET } from "./limits.js";

/** Rough token count of a text (~4 characters per token). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** The budget to use: DEFAULT_TOKEN_BUDGET when absent, clamped to [MIN_TOKEN_BUDGET, MAX_TOKEN_BUDGET]. */
export function resolveBudget(tokens?: number): number {
  if (tokens === undefined || !Number.isFinite(tokens)) return DEFAULT_TOKEN_BUDGET;
  return Math.min(MAX_TOKEN_BUDGET, Math.max(MIN_TOKEN_BUDGET, Math.floor(tokens)));
}

/** A rendered unit that is shown whole or not at all, covering `items` entries (more when folded). */
export interface Block {
  text: string;
  items: number;
}

export interface Packed {
  lines: string[];
  /** Characters used by the packed lines, newlines included. */
  chars: number;
  /** Items covered by the packed blocks. */
  items: number;
  /** True when blocks remained that did not fit. */
  cut: boolean;
}

/**
 * Takes blocks in order while they fit in `maxChars`. The first block is always taken, so paging
 * always moves forward. Blocks are pulled lazily: a 50k-entry trace is not rendered to show 300 lines.
 */
export function packBlocks(blocks: Iterable<Block>, maxChars: number): Packed {
  const packed: Packed = { lines: [], chars: 0, items: 0, cut: false };
  for (const block of blocks) {
    const size = block.text.length + 1;
    if (packed.lines.length > 0 && packed.chars + size > maxChars) {
      packed.cut = true;
      break;
    }
    packed.lines.push(block.text);
    packed.chars += size;
    packed.items += block.items;
  }
  return packed;
}

/** Characters a token budget allows. */
export function budgetChars(tokens: number): number {
  return tokens * CHARS_PER_TOKEN;
}
