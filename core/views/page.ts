// What every paged answer shares: its options, the closing line (what was shown, what was left out, how to
// continue), bounded lists of labels, and the clock sentence.
import { plural, safeText } from "../analysis/format.js";
import { ANSWER_LABEL_CHARS } from "../analysis/limits.js";
import type { Page } from "./schema.js";

export interface PageOptions {
  /** Index of the first item (from a decoded cursor, or `around`). */
  offset: number;
  /** Most rows on the page (a tool's `limit`; folded repeats are one row). */
  maxRows: number;
  /** Answer budget in tokens; see answerChars. */
  budgetTokens?: number;
  /** Characters instead of the token budget (the JSON API, which no model reads). */
  maxChars?: number;
  /** The cursor that continues at an item index. */
  cursorAt: (offset: number) => string;
}

/** The closing line of a page, from its Page object alone. */
export function pageText(page: Page, noun: [string, string]): string {
  const [one, many] = noun;
  if (page.of === 0) return `No ${many} to show.`;
  if (page.rows === 0) return `Nothing at this position: there are ${plural(page.of, one, many)}.`;
  const range = `${many} ${page.from.toLocaleString("en-US")}–${page.to.toLocaleString("en-US")} of ${page.of.toLocaleString("en-US")} in ${plural(page.rows, "row")}`;
  const earlier = page.from > 1 ? ` ${plural(page.from - 1, one, many)} came before this page.` : "";
  if (!page.next_cursor) return `End: showed ${range}.${earlier}`;
  const why =
    page.stopped === "budget" ? "Cut at the answer budget" : `Stopped at the limit of ${plural(page.rows, "row")}`;
  return `${why}: showed ${range}; ${plural(page.of - page.to, one, many)} after it. Continue with cursor "${page.next_cursor}".${earlier}`;
}

/** At most `max` log-controlled labels, each cut and made safe, plus one saying how many more. */
export function labels(items: readonly string[], max: number, more: string): string[] {
  const shown = items
    .slice(0, max)
    .map((w) => safeText(w.length > ANSWER_LABEL_CHARS ? `${w.slice(0, ANSWER_LABEL_CHARS)}…` : w));
  if (items.length > max) shown.push(`${items.length - max} ${more}`);
  return shown;
}

/** "browser clock was 4.0 s ahead of the server clock (...); convex reference". */
export function describeClocks(clocks: ReadonlyArray<{ system: string; method: string; description: string }>): string {
  return clocks.map((s) => (s.method === "reference" ? `${s.system} reference` : s.description)).join("; ");
}

/** What a query returns: the view (structured content, /api) and the text rendered from it. */
export interface Answer<V> {
  view: V;
  text: string;
}
