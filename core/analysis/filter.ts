// Filters for get_trace and search_logs: systems, levels, a corrected-time range, a substring or a
// bounded regex (see safe-regex.ts). Time bounds apply to clock-corrected times.
import { z } from "zod";
import { InputError } from "../errors.js";
import { LevelSchema, SystemSchema, type LogEntry } from "../schema.js";
import { REGEX_MAX_CHARS } from "./limits.js";
import { checkRegex } from "./safe-regex.js";
import type { TimelineEntry } from "./timeline.js";

export const EntryFilterSchema = z.object({
  systems: z.array(SystemSchema).optional().describe('Only entries from these systems, e.g. ["browser", "convex"].'),
  levels: z.array(LevelSchema).optional().describe('Only entries at these levels, e.g. ["warn", "error"].'),
  since: z
    .number()
    .optional()
    .describe("Only entries at or after this time, ms since epoch on the server clock (times are clock-corrected)."),
  until: z.number().optional().describe("Only entries before this time, ms since epoch on the server clock."),
  text: z.string().max(500).optional().describe('Case-insensitive substring of the message or stack, e.g. "timeout".'),
  regex: z
    .string()
    .optional()
    .describe(
      `Case-insensitive regular expression over the message and stack, at most ${REGEX_MAX_CHARS} characters, without nested quantifiers or backreferences, e.g. "status 50[234]". Patterns with several * or + see only the start of long messages.`,
    ),
});
export type EntryFilter = z.infer<typeof EntryFilterSchema>;

/** Builds the predicate once (regexes compiled and checked up front); throws InputError on a bad filter. */
export function compileFilter(filter: EntryFilter): (item: TimelineEntry) => boolean {
  const systems = filter.systems?.length ? new Set<string>(filter.systems) : undefined;
  const levels = filter.levels?.length ? new Set<string>(filter.levels) : undefined;
  const { since, until } = filter;
  if (since !== undefined && until !== undefined && since >= until) {
    throw new InputError(`since (${since}) must be earlier than until (${until})`);
  }
  const text = filter.text ? new RegExp(escapeRegex(filter.text), "i") : undefined;
  const regex = filter.regex !== undefined ? checkRegex(filter.regex) : undefined;
  return ({ entry, t }) =>
    (!systems || systems.has(entry.system)) &&
    (!levels || levels.has(entry.level)) &&
    (since === undefined || t >= since) &&
    (until === undefined || t < until) &&
    (!text || matches(text, entry, Infinity)) &&
    (!regex || matches(regex.regex, entry, regex.inputChars));
}

export function filterTimeline(items: readonly TimelineEntry[], filter: EntryFilter): TimelineEntry[] {
  const keep = compileFilter(filter);
  return items.filter(keep);
}

function matches(pattern: RegExp, entry: LogEntry, cap: number): boolean {
  const message = entry.message.length > cap ? entry.message.slice(0, cap) : entry.message;
  if (pattern.test(message)) return true;
  if (!entry.stack) return false;
  return pattern.test(entry.stack.length > cap ? entry.stack.slice(0, cap) : entry.stack);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
