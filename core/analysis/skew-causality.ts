// Clock causality: where a client line and a server line carry the same request id (or a URL path the
// server logged once nearby), the client's request must come before the server handled it and its
// response after the server answered. Those pairs bound each client clock's offset from both sides (the
// idea of Jaeger's clock-skew adjuster, which shifts a child span into its parent).
import type { LogEntry } from "../schema.js";
import { CAUSAL_MARGIN_MS, CAUSAL_TIGHT_MS, FINGERPRINT_MESSAGE_CHARS } from "./limits.js";
import { isFailure, requestIds } from "./signals.js";
import type { StreamSkew } from "./skew.js";

/**
 * Moves each client sender's offset (all its streams together, so one clock stays one clock) into the
 * bounds its request/response pairs with reference server entries set. Pairs that contradict each other
 * leave the estimate alone.
 */
export function applyCausality(
  entries: readonly LogEntry[],
  times: Float64Array,
  senders: StreamSkew[][],
  indicesOf: Map<StreamSkew, number[]>,
): void {
  // Server time span of each request id, and server times of each requested URL path, from reference
  // streams only.
  const served = new Map<string, { first: number; last: number }>();
  const paths = new Map<string, number[]>();
  type Tagged = { i: number; ids: readonly string[]; path?: string };
  const clients: Array<{ streams: StreamSkew[]; tagged: Tagged[] }> = [];
  const wanted = { ids: new Set<string>(), paths: new Set<string>() };
  const isReference = (sender: StreamSkew[]) => sender.every((s) => s.method === "reference");
  // Client lines first: only the ids and paths they carry are worth recording on the server side.
  for (const sender of senders) {
    if (isReference(sender)) continue;
    const tagged: Tagged[] = [];
    for (const stream of sender) {
      for (const i of indicesOf.get(stream)!) {
        const ids = requestIds(entries[i]!);
        const path = requestPath(entries[i]!);
        if (!ids.length && !path) continue;
        tagged.push(path ? { i, ids, path } : { i, ids });
        for (const id of ids) wanted.ids.add(id);
        if (path) wanted.paths.add(path);
      }
    }
    if (tagged.length) clients.push({ streams: sender, tagged });
  }
  if (!clients.length) return;
  for (const sender of senders) {
    if (!isReference(sender)) continue;
    for (const stream of sender) {
      for (const i of indicesOf.get(stream)!) {
        const path = wanted.paths.size ? requestPath(entries[i]!) : undefined;
        if (path && wanted.paths.has(path)) (paths.get(path) ?? paths.set(path, []).get(path)!).push(times[i]!);
        for (const id of requestIds(entries[i]!)) {
          if (!wanted.ids.has(id)) continue;
          const span = served.get(id);
          if (span) {
            span.first = Math.min(span.first, times[i]!);
            span.last = Math.max(span.last, times[i]!);
          } else served.set(id, { first: times[i]!, last: times[i]! });
        }
      }
    }
  }
  if (!served.size && !paths.size) return;
  for (const list of paths.values()) list.sort((a, b) => a - b);
  for (const { streams, tagged } of clients) {
    let lower = -Infinity; // the shift must be at least this (responses after the server answered)
    let upper = Infinity; // and at most this (requests before the server handled them)
    let pairs = 0;
    const bound = (role: "request" | "response", first: number, last: number, t: number) => {
      pairs++;
      if (role === "response") lower = Math.max(lower, last + CAUSAL_MARGIN_MS - t);
      else upper = Math.min(upper, first - CAUSAL_MARGIN_MS - t);
    };
    for (const { i, ids, path } of tagged) {
      const role = exchangeRole(entries[i]!);
      if (!role) continue;
      let paired = false;
      for (const id of ids) {
        const span = served.get(id);
        if (!span) continue;
        paired = true;
        bound(role, span.first, span.last, times[i]!);
      }
      // Without a request id, a URL path the server logged exactly once near this line pairs with it.
      if (!paired && path) {
        const near = onlyNear(paths.get(path), times[i]!);
        if (near !== undefined) bound(role, near, near, times[i]!);
      }
    }
    if (!pairs || lower > upper) continue;
    // The estimate is an upper bound on the true offset (latency only adds): the shift is at most 0. When
    // the pairs also bound it from below and tightly, take the middle (as Jaeger's adjuster centres a
    // span in its parent's latency); loosely, keep the estimate. When the responses demand a later clock,
    // the estimate's side was wrong (a server clock trusted within tolerance): follow the pairs.
    const spread = Math.max(...streams.map((s) => s.spread_ms));
    const hi = Math.min(upper, 0);
    let shift: number;
    let width: number;
    let centred: boolean;
    if (lower <= hi) {
      centred = hi - lower <= CAUSAL_TIGHT_MS;
      shift = centred ? (lower + hi) / 2 : hi;
      width = centred ? (hi - lower) / 2 : spread;
    } else {
      centred = Number.isFinite(upper);
      shift = centred ? (lower + upper) / 2 : lower;
      width = centred ? (upper - lower) / 2 : spread;
    }
    for (const stream of streams) {
      stream.pairs = pairs;
      stream.causal_shift_ms = shift;
      stream.offset_ms += shift;
      stream.spread_ms = centred ? width : Math.min(stream.spread_ms, width);
      if (shift !== 0) for (const i of indicesOf.get(stream)!) times[i] = times[i]! + shift;
    }
  }
}

/** Pairs by URL path only when exactly one server line with that path lies this close, ms. */
const URL_PAIR_WINDOW_MS = 2_000;
const HTTP_LINE = /\b(?:GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD) (?:https?:\/\/[^\s/]{1,200})?(\/[^\s?#]{1,200})/;

/** The one server time within URL_PAIR_WINDOW_MS of t in a sorted list, or undefined (none, or several). */
function onlyNear(sorted: number[] | undefined, t: number): number | undefined {
  if (!sorted) return undefined;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t - URL_PAIR_WINDOW_MS) lo = mid + 1;
    else hi = mid;
  }
  const first = sorted[lo];
  if (first === undefined || first > t + URL_PAIR_WINDOW_MS) return undefined;
  const next = sorted[lo + 1];
  return next !== undefined && next <= t + URL_PAIR_WINDOW_MS ? undefined : first;
}

/** "POST /api/notes" → "/api/notes": the path of a request line, on either side. */
function requestPath(entry: LogEntry): string | undefined {
  const m = HTTP_LINE.exec(entry.message.slice(0, 300));
  return m ? m[1]!.replace(/\/+$/, "").toLowerCase() : undefined;
}

const REQUEST_WORDS =
  /\b(?:GET|POST|PUT|PATCH|DELETE|calling|sending|send(?:ing)? request|requesting|fetching|starting)\b/;
const RESPONSE_WORDS =
  /\b(?:resolved|response|returned|received|completed|done|succeeded|failed|error|status)\b|\b[1-5]\d\d\b/i;

/** Whether a client line sent a request (before the server) or reports its outcome (after), by its wording. */
function exchangeRole(entry: LogEntry): "request" | "response" | undefined {
  if (isFailure(entry)) return "response";
  const text = entry.message.slice(0, FINGERPRINT_MESSAGE_CHARS);
  if (RESPONSE_WORDS.test(text)) return "response";
  if (REQUEST_WORDS.test(text)) return "request";
  return undefined;
}
