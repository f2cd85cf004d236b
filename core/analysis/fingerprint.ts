// Error fingerprints: the same error with different ids, numbers or line numbers groups together,
// different errors do not. groupErrors is what list_errors shows.
import type { Level, LogEntry, System } from "../schema.js";
import { shortHash } from "./hash.js";
import { FINGERPRINT_FRAMES, FINGERPRINT_MESSAGE_CHARS, GROUP_TRACE_IDS_MAX } from "./limits.js";
import { frameKey, parseStack, topFrames } from "./stack.js";

// One pass, most specific alternative first: a URL contains numbers, a uuid contains hex ids. Every prefix that
// starts at a word boundary inside a run (a scheme, an email's local part, an id's letters before its digit) is
// bounded, so a run like "a.a.a." or "a-a-a-" is not rescanned to its end from each of its boundaries.
const VOLATILE = new RegExp(
  [
    /(?<url>\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s"'<>()[\]]+)/.source,
    /(?<email>\b[\w.+-]{1,64}@[a-z0-9-]+(?:\.[a-z0-9-]+)+)/.source,
    /(?<uuid>\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)/.source,
    /(?<date>\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)/.source,
    /(?<quoted>"[^"\n]{0,200}"|'[^'\n]{0,200}'|`[^`\n]{0,200}`)/.source,
    // HTTP statuses tell errors apart ("404" is not "500"), so they are kept verbatim.
    /(?<status>\b(?:status|http|code)(?: code)?[\s:=]{0,3}[1-5]\d\d\b)/.source,
    // Durations vary between attempts of one retry ("retrying in 50ms", "... 100ms"): one placeholder.
    /(?<dur>\b\d+(?:\.\d+)? ?(?:ms|s|sec|secs|seconds?|m|min|mins|minutes?|h)\b)/.source,
    /(?<hex>\b0x[0-9a-f]+\b|\b(?=[a-z_-]{0,64}\d)(?=\d*[a-z_-])[a-z0-9_-]{8,}\b)/.source,
    /(?<num>\b\d+(?:\.\d+)?\b)/.source,
  ].join("|"),
  "gi",
);

const PLACEHOLDER: Record<string, string> = {
  url: "<url>",
  email: "<email>",
  uuid: "<uuid>",
  date: "<date>",
  quoted: "<str>",
  dur: "<dur>",
  hex: "<id>",
  num: "<num>",
};

/** A message with volatile parts replaced by placeholders (<url>, <email>, <uuid>, <date>, <str>, <dur>, <id>, <num>). */
export function normaliseMessage(message: string): string {
  return messageText(message.slice(0, FINGERPRINT_MESSAGE_CHARS))
    .replace(VOLATILE, (match, ...args) => {
      const groups = args[args.length - 1] as Record<string, string | undefined>;
      for (const name in PLACEHOLDER) if (groups[name] !== undefined) return PLACEHOLDER[name]!;
      return match.toLowerCase(); // status: kept
    })
    .replace(/\s+/g, " ")
    .trim();
}

/** The message without stack lines that some loggers append to it. */
export function messageText(message: string): string {
  // [ \t]*, not \s*: from each line break, \s* would run through every following blank line and back.
  const frameLine = /\n[ \t]*(?:at |[\w$.<>]*@\S+:\d+)/.exec(message);
  return frameLine ? message.slice(0, frameLine.index) : message;
}

const ERROR_TYPE =
  /(?:^|\n|Uncaught (?:\(in promise\) )?)[ \t]*([A-Z][\w$]*(?:Error|Exception)|Error)(?=:|\s*$|[ \t]*\n)/;

/** The error class named in the message or the stack's first line (TypeError, ConvexError...), or "". */
export function errorType(entry: Pick<LogEntry, "message" | "stack">): string {
  const fromMessage = ERROR_TYPE.exec(entry.message.slice(0, FINGERPRINT_MESSAGE_CHARS));
  if (fromMessage) return fromMessage[1]!;
  const fromStack = entry.stack ? ERROR_TYPE.exec(entry.stack.slice(0, 300)) : null;
  return fromStack ? fromStack[1]! : "";
}

export interface Fingerprint {
  /** 12 hex digits. */
  id: string;
  type: string;
  normalised: string;
  /** Top in-app frames without line and column, as hashed. */
  frames: string[];
}

/** Fingerprint = hash of system, error type, normalised message and the top in-app frames. */
export function fingerprint(entry: Pick<LogEntry, "system" | "message" | "stack">): Fingerprint {
  const type = errorType(entry);
  const normalised = normaliseMessage(entry.message);
  const frames = topFrames(parseStack(entry.stack), FINGERPRINT_FRAMES)
    .filter((f) => f.inApp)
    .map(frameKey);
  return { id: shortHash([entry.system, type, normalised, ...frames].join("\n")), type, normalised, frames };
}

export interface ErrorGroup {
  fingerprint: string;
  count: number;
  /** Server clock (received_at) of the first and last occurrence, ms since epoch. */
  first_seen: number;
  last_seen: number;
  systems: System[];
  levels: Level[];
  error_type: string;
  /** The message normalised as it was grouped. */
  normalised: string;
  /** Id, message and top in-app stack lines of the first occurrence. */
  sample_id: string;
  sample_message: string;
  sample_stack_top: string[];
  /** Up to GROUP_TRACE_IDS_MAX trace ids in order of first occurrence; trace_count is the total. */
  trace_ids: string[];
  trace_count: number;
}

export interface GroupOptions {
  /** Levels that count as errors. Default ["error"]. */
  levels?: Level[];
}

/**
 * Groups error entries by fingerprint, most frequent first (ties: most recent first).
 * Times are received_at, the one clock comparable across systems and traces.
 */
export function groupErrors(entries: readonly LogEntry[], options: GroupOptions = {}): ErrorGroup[] {
  const levels = new Set<Level>(options.levels ?? ["error"]);
  const groups = new Map<string, ErrorGroup & { traceSet: Set<string> }>();
  for (const e of entries) {
    if (!levels.has(e.level)) continue;
    const fp = fingerprint(e);
    let g = groups.get(fp.id);
    if (!g) {
      g = {
        fingerprint: fp.id,
        count: 0,
        first_seen: e.received_at,
        last_seen: e.received_at,
        systems: [],
        levels: [],
        error_type: fp.type,
        normalised: fp.normalised,
        sample_id: e.id,
        sample_message: e.message.slice(0, FINGERPRINT_MESSAGE_CHARS),
        sample_stack_top: topFrames(parseStack(e.stack), FINGERPRINT_FRAMES).map((f) => f.raw),
        trace_ids: [],
        trace_count: 0,
        traceSet: new Set(),
      };
      groups.set(fp.id, g);
    }
    g.count++;
    g.first_seen = Math.min(g.first_seen, e.received_at);
    g.last_seen = Math.max(g.last_seen, e.received_at);
    if (!g.systems.includes(e.system)) g.systems.push(e.system);
    if (!g.levels.includes(e.level)) g.levels.push(e.level);
    if (!g.traceSet.has(e.trace_id)) {
      g.traceSet.add(e.trace_id);
      if (g.trace_ids.length < GROUP_TRACE_IDS_MAX) g.trace_ids.push(e.trace_id);
    }
  }
  return [...groups.values()]
    .map(({ traceSet, ...g }) => ({ ...g, trace_count: traceSet.size }))
    .sort((a, b) => b.count - a.count || b.last_seen - a.last_seen);
}
