// Entry rows, the unit of get_trace, search_logs and the correlation timeline: one entry or a run of
// identical ones folded, failures whole, routine entries cut, and the one text line each row renders to.
import { sizeOf } from "../analysis/budget.js";
import { formatRelative, plural, safeText } from "../analysis/format.js";
import { RENDER_FRAME_CHARS, RENDER_STACK_LINES, ROUTINE_MESSAGE_CHARS } from "../analysis/limits.js";
import { isFailure } from "../analysis/signals.js";
import { parseStack } from "../analysis/stack.js";
import type { TimelineEntry } from "../analysis/timeline.js";
import type { EntryRow, HitRow } from "./schema.js";

export interface RowOptions {
  /** Longest message kept; default: whole for failures, ROUTINE_MESSAGE_CHARS for the rest. */
  maxMessage?: number;
  /** Leave the stack out (rows listed as outside a page). */
  noStack?: boolean;
}

/** Log-controlled text cut to `max` characters, made safe to quote: [text, characters cut]. */
export function cut(text: string, max: number): [string, number] {
  const kept = text.length > max ? text.slice(0, Math.max(0, max)) : text;
  return [safeText(kept), text.length - kept.length];
}

/** The row of `first`, folding `last` and the entries between when `count` > 1. */
export function entryRow(first: TimelineEntry, count = 1, last = first, options: RowOptions = {}): EntryRow {
  const e = first.entry;
  const failure = isFailure(e);
  const [message, messageCut] = cut(e.message, options.maxMessage ?? (failure ? Infinity : ROUTINE_MESSAGE_CHARS));
  const row: EntryRow = { id: e.id, rel_ms: Math.round(first.rel_ms), system: e.system, level: e.level, message };
  if (messageCut) row.message_cut = messageCut;
  if (failure) row.failure = true;
  if (!options.noStack && e.stack) Object.assign(row, stackTop(e.stack, failure ? RENDER_STACK_LINES : 2));
  if (count > 1) {
    row.count = count;
    row.last_id = last.entry.id;
    row.last_rel_ms = Math.round(last.rel_ms);
  }
  if (e.source) row.source = safeText(e.source);
  if (e.span_id) row.span_id = e.span_id;
  if (e.user_id) row.user_id = safeText(e.user_id);
  return row;
}

/** The same row with absolute times and the trace id (search hits span traces). */
export function hitRow(first: TimelineEntry, count = 1, last = first): HitRow {
  const { rel_ms: _rel, last_rel_ms: _last, ...rest } = entryRow(first, count, last);
  const hit: HitRow = { ...rest, trace_id: first.entry.trace_id, at: Math.round(first.t) };
  if (count > 1) hit.last_at = Math.round(last.t);
  return hit;
}

/** The top frames, the app's own first, with a count of the rest. */
export function stackTop(stack: string, max: number): Pick<EntryRow, "stack" | "frames_omitted"> {
  const frames = parseStack(stack);
  if (frames.length === 0) return { stack: [cut(stack.split("\n", 1)[0]!, RENDER_FRAME_CHARS)[0]] };
  const inApp = frames.filter((f) => f.inApp);
  const shown = (inApp.length ? inApp : frames).slice(0, max);
  const omitted = frames.length - shown.length;
  return {
    stack: shown.map((f) => cut(f.raw, RENDER_FRAME_CHARS)[0]),
    ...(omitted > 0 ? { frames_omitted: omitted } : {}),
  };
}

/** Runs of identical consecutive entries (same trace, system, level and message) from `start`. */
export function* runs(
  items: readonly TimelineEntry[],
  start: number,
): Generator<{ first: TimelineEntry; last: TimelineEntry; count: number; at: number }> {
  for (let k = start; k < items.length;) {
    const first = items[k]!;
    let end = k + 1;
    while (end < items.length && sameLine(items[end]!, first)) end++;
    yield { first, last: items[end - 1]!, count: end - k, at: k };
    k = end;
  }
}

function sameLine(a: TimelineEntry, b: TimelineEntry): boolean {
  const x = a.entry;
  const y = b.entry;
  return x.message === y.message && x.system === y.system && x.level === y.level && x.trace_id === y.trace_id;
}

/** `"message"…[+N chars cut]`: the one way both forms report a cut. */
export function quotedMessage(message: string, messageCut?: number): string {
  return `${JSON.stringify(message)}${messageCut ? `…[+${messageCut.toLocaleString("en-US")} chars cut]` : ""}`;
}

/** A row as text: `+1.234s browser error "message"  [id]  x3 until +1.500s [id3]`, then its stack. */
export function rowText(row: EntryRow | HitRow, indent = "  "): string {
  const time =
    "at" in row ? ` ${new Date(row.at).toISOString()} ${row.trace_id}` : formatRelative(row.rel_ms).padStart(9);
  let line = `${indent}${row.failure ? "!" : " "}${time} ${row.system.padEnd(7)} ${row.level.padEnd(5)} ${quotedMessage(row.message, row.message_cut)}  [${row.id}]`;
  if (row.count) {
    const until = "at" in row ? new Date(row.last_at ?? row.at).toISOString() : formatRelative(row.last_rel_ms ?? 0);
    line += `  x${row.count} until ${until} [${row.last_id}]`;
  }
  const extra: string[] = [];
  if (row.source) extra.push(`source ${JSON.stringify(row.source)}`);
  if (row.user_id) extra.push(`user ${JSON.stringify(row.user_id)}`);
  if (extra.length) line += `  (${extra.join(", ")})`;
  const lines = [line];
  const pad = `${indent}      `;
  row.stack?.forEach((frame, i) => lines.push(`${pad}${i === 0 ? "stack: " : "       "}${JSON.stringify(frame)}`));
  if (row.frames_omitted) lines.push(`${pad}       (${plural(row.frames_omitted, "more frame")} omitted)`);
  return lines.join("\n");
}

/** A row's cost in an answer: the longer of its JSON and its text. */
export function rowSize(row: EntryRow | HitRow): number {
  return sizeOf(row, rowText(row));
}

/**
 * The row cut down to fit `room` characters (a first row must always show something): the message is
 * shortened and the stack dropped, with the cut reported like any other.
 */
export function shrinkRow<R extends EntryRow | HitRow>(row: R, room: number): R {
  const { stack: _s, frames_omitted: _f, ...rest } = row;
  const small = { ...rest } as R;
  const overhead = rowSize({ ...small, message: "", message_cut: 99_999 });
  const keep = Math.max(0, room - overhead);
  // JSON escapes can make a character cost up to 6: cut until it fits.
  for (let max = keep; ; max = Math.floor(max / 2)) {
    const total = row.message.length + (row.message_cut ?? 0);
    const message = row.message.slice(0, max);
    const next = { ...small, message, message_cut: total - message.length } as R;
    if (next.message_cut === 0) delete next.message_cut;
    if (rowSize(next) <= room || max === 0) return next;
  }
}
