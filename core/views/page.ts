// What every paged answer shares: its options, the closing line (what was shown, what was left out, how to
// continue), bounded lists of labels, and the clock sentence.
import { answerChars, Room } from "../analysis/budget.js";
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

/** The room of one answer: maxChars when given (the JSON API), else the token budget. */
export function roomFor(options: { budgetTokens?: number; maxChars?: number }): Room {
  return new Room(options.maxChars ?? answerChars(options.budgetTokens));
}

/**
 * Fills one page from `source` (rows built lazily, each covering one or more items) until `maxRows` or the room
 * runs out. The first row always goes in, shrunk to the room when it is too big alone, so paging moves on.
 */
export function packPage<R>(
  source: Iterable<{ row: () => R; covers: number }>,
  room: Room,
  options: PageOptions & { total: number },
  textOf: (row: R) => string,
  shrink: (row: R, chars: number) => R,
): { rows: R[]; page: Page } {
  const offset = Math.min(Math.max(0, options.offset), options.total);
  const rows: R[] = [];
  let covered = 0;
  let stopped: Page["stopped"];
  for (const next of source) {
    if (rows.length >= options.maxRows) {
      stopped = "limit";
      break;
    }
    let row = next.row();
    if (!room.take(row, textOf(row))) {
      if (rows.length > 0) {
        stopped = "budget";
        break;
      }
      row = shrink(row, room.left);
      room.charge(row, textOf(row));
    }
    rows.push(row);
    covered += next.covers;
  }
  const end = offset + covered;
  const page: Page = {
    from: covered ? offset + 1 : 0,
    to: end,
    of: options.total,
    rows: rows.length,
    ...(end < options.total ? { stopped: stopped ?? "budget", next_cursor: options.cursorAt(end) } : {}),
  };
  return { rows, page };
}

/** What the page facts can cost at most (a cursor, the stop reason) and the closing lines of the text. */
export function pageReserve(room: Room, options: PageOptions & { total: number }, footer: number): void {
  room.charge(
    { stopped: "budget", next_cursor: options.cursorAt(options.total), from: 1e9, to: 1e9 },
    "x".repeat(450 + footer),
  );
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
