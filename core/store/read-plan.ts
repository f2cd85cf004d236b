// Reading a trace of any size within bounds: which list positions to read when it does not fit in one page
// (around the latest errors and warnings, then its end), and the plain account of what was not read.
import { LogEntrySchema, type LogEntry } from "../schema.js";
import { parseJsonOrUndefined } from "../json.js";
import { READ_CONTEXT_ENTRIES, READ_TAIL_ENTRIES } from "../limits.js";
import { NOTABLE } from "./layout.js";

/** What a read covered of the stored list. Positions are list elements, oldest first. */
export interface TraceCoverage {
  /** Every stored element was read. */
  complete: boolean;
  /** Elements in the list (one per entry; a trace stored by an older version holds one array per write). */
  elements: number;
  /** Elements read. */
  read: number;
  /** Ranges of positions not read, [from, to] inclusive, oldest first (at most COVERAGE_RANGES_MAX). */
  not_read: Array<[number, number]>;
  /** When not complete: what was read and what was not, in words, for the reader of a tool result. */
  note?: string;
}

/** Ranges of unread positions listed in a coverage (the note counts the rest). */
const COVERAGE_RANGES_MAX = 20;

export type Range = [number, number];

/** Errors and warnings as the notable list stores them: kind and position. */
export function parseNotable(raw: unknown[]): Array<{ kind: "error" | "warn"; pos: number }> {
  const out: Array<{ kind: "error" | "warn"; pos: number }> = [];
  for (const item of raw) {
    const [kind, pos] = String(item).split(":");
    const n = Number(pos);
    if (!Number.isInteger(n) || n < 0) continue;
    if (kind === NOTABLE.error) out.push({ kind: "error", pos: n });
    else if (kind === NOTABLE.warn) out.push({ kind: "warn", pos: n });
  }
  return out;
}

/**
 * The ranges worth reading in a list of `length` elements, most important first: around each error (newest
 * first), the end of the trace, around each warning, then everything else in order. Overlaps and positions
 * already read are left out.
 */
export function planWindows(
  length: number,
  notable: Array<{ kind: "error" | "warn"; pos: number }>,
  read: ReadonlySet<number>,
): Range[] {
  const around = (pos: number): Range => [
    Math.max(0, pos - READ_CONTEXT_ENTRIES),
    Math.min(length - 1, pos + READ_CONTEXT_ENTRIES),
  ];
  const newestFirst = [...notable].reverse();
  const wanted: Range[] = [
    ...newestFirst.filter((n) => n.kind === "error").map((n) => around(n.pos)),
    [Math.max(0, length - READ_TAIL_ENTRIES), length - 1],
    ...newestFirst.filter((n) => n.kind === "warn").map((n) => around(n.pos)),
    // Then the rest in order, for a trace that fits the read's budget though not one page.
    [0, length - 1],
  ];
  const planned = new Set<number>();
  const out: Range[] = [];
  for (const [from, to] of wanted) {
    let start = -1;
    for (let p = from; p <= to + 1; p++) {
      const free = p <= to && !read.has(p) && !planned.has(p);
      if (free) {
        planned.add(p);
        if (start < 0) start = p;
      } else if (start >= 0) {
        out.push([start, p - 1]);
        start = -1;
      }
    }
  }
  return out;
}

/**
 * The account of a read: which positions of the list it did not read, and a sentence saying so. A read of a
 * window (`scope`) accounts for that window only.
 */
export function describeCoverage(
  length: number,
  read: ReadonlySet<number>,
  scope: { from: number; to: number } | undefined,
  why: string,
): TraceCoverage {
  const gaps: Range[] = [];
  let start = -1;
  const from = scope ? scope.from : 0;
  const end = scope ? scope.to + 1 : length;
  for (let p = from; p <= end; p++) {
    const missing = p < end && !read.has(p);
    if (missing && start < 0) start = p;
    else if (!missing && start >= 0) {
      gaps.push([start, p - 1]);
      start = -1;
    }
  }
  if (gaps.length === 0) return { complete: true, elements: length, read: read.size, not_read: [] };
  const skipped = gaps.reduce((n, [a, b]) => n + b - a + 1, 0);
  const what = scope
    ? `of positions ${from}-${end - 1} of ${length.toLocaleString("en-US")} stored entries`
    : `of ${length.toLocaleString("en-US")} stored entries`;
  const shown = gaps.slice(0, COVERAGE_RANGES_MAX).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
  const more = gaps.length > shown.length ? ` and ${gaps.length - shown.length} more ranges` : "";
  return {
    complete: false,
    elements: length,
    read: read.size,
    not_read: gaps.slice(0, COVERAGE_RANGES_MAX),
    note:
      `Read ${read.size.toLocaleString("en-US")} ${what} (${why})` +
      (scope
        ? ". Not read: "
        : ": the start, the end and the entries around the latest errors and warnings. Not read: ") +
      `${skipped.toLocaleString("en-US")} entries at positions ${shown.join(", ")}${more}. ` +
      `The counts in the summary cover the whole trace.`,
  };
}

/**
 * Stored entries: one JSON entry per list element; a trace written by an older version holds a JSON array of the
 * entries of each write, read until its TTL ends. Skips anything that does not parse or match the schema.
 */
export function parseStoredEntries(raw: readonly unknown[]): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const json of raw) {
    const value = parseJsonOrUndefined(String(json));
    for (const item of Array.isArray(value) ? value : [value]) {
      const parsed = LogEntrySchema.safeParse(item);
      if (parsed.success) entries.push(parsed.data);
    }
  }
  return entries;
}
