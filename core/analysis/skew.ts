// Clock skew correction: every system stamps entries with its own clock, so before ordering across
// systems each entry gets a corrected time on the server's clock.
//
// One offset per stream (trace + system + source), never per entry: entries of one stream keep the
// sender's order. The estimate is the smallest offset seen, because an entry cannot arrive before it was sent:
// `timestamp + min(offset)` is never later than the entry's own received_at, and latency or batching
// delay only ever make an offset larger. Samples far below the median are clock jumps and are ignored.
//
// Then causality: where a browser line and a server line carry the same request id, the browser's
// request must come before the server handled it and its response after the server answered. Those
// pairs bound each client clock's offset from both sides (the idea of Jaeger's clock-skew adjuster,
// which shifts a child span into its parent); the estimate moves into the bounds and its uncertainty
// shrinks to their width.
import type { LogEntry, System } from "../schema.js";
import { formatDuration, median, plural } from "./format.js";
import { SERVER_SYSTEMS } from "./signals.js";
import { applyCausality } from "./skew-causality.js";
import { SAME_CLOCK_TOLERANCE_MS, SERVER_SKEW_TOLERANCE_MS, SKEW_NEGLIGIBLE_MS, SKEW_OUTLIER_MS } from "./limits.js";

/**
 * - `sent_at`: from clock_offset_ms (received_at minus the batch's sent_at), exact but for latency.
 * - `received_at`: no batch send times; from received_at minus timestamp, which adds batching delay.
 * - `reference`: a server system (convex, worker) within SERVER_SKEW_TOLERANCE_MS: its clock is trusted.
 */
export type SkewMethod = "sent_at" | "received_at" | "reference";

export interface StreamSkew {
  trace_id: string;
  system: System;
  source?: string;
  method: SkewMethod;
  /** Added to timestamp to get server time, ms. */
  offset_ms: number;
  /** Median sample minus the estimate: how noisy the samples were (latency, batching), ms. */
  spread_ms: number;
  /** Distinct batches (sent_at) or entries (received_at) the estimate rests on. */
  samples: number;
  entries: number;
  /** Request/response pairs with a server that bound the offset, and how far they moved it, ms. */
  pairs?: number;
  causal_shift_ms?: number;
}

export interface SystemSkew {
  system: System;
  method: SkewMethod;
  /** Added to this system's timestamps, ms (entry-weighted median over its streams). */
  offset_ms: number;
  /** How far this system's clock is ahead of the server clock, ms (negative: behind). */
  skew_ms: number;
  /** Spread of the samples and disagreement between streams, ms. */
  uncertainty_ms: number;
  entries: number;
  /** Browser-server request/response pairs (shared request id) that bounded the offset, and the shift they made. */
  pairs?: number;
  causal_shift_ms?: number;
  /** e.g. "browser clock was 4.2 s ahead of the server clock (from 12 batch send times, ±80 ms)". */
  description: string;
}

export interface SkewCorrection {
  /** Corrected time of entries[i] on the server clock, ms since epoch. */
  times: Float64Array;
  systems: SystemSkew[];
  streams: StreamSkew[];
}

interface StreamAcc {
  trace_id: string;
  system: System;
  source?: string;
  indices: number[];
  offsets: number[];
  delays: number[];
  batches: Set<number>;
  /** Without sent_at: earliest and latest timestamp per arrival (batch), to see how long entries wait. */
  spans: Map<number, { lo: number; hi: number }>;
}

export function correctClockSkew(entries: readonly LogEntry[]): SkewCorrection {
  // Streams are grouped by trace + system (one browser, one deployment: one clock) and by source.
  const senders = new Map<string, Map<string, StreamAcc>>();
  entries.forEach((e, i) => {
    const senderKey = `${e.trace_id}\u0000${e.system}`;
    let sources = senders.get(senderKey);
    if (!sources) senders.set(senderKey, (sources = new Map()));
    let acc = sources.get(e.source ?? "");
    if (!acc) {
      acc = {
        trace_id: e.trace_id,
        system: e.system,
        indices: [],
        offsets: [],
        delays: [],
        batches: new Set(),
        spans: new Map(),
      };
      if (e.source !== undefined) acc.source = e.source;
      sources.set(e.source ?? "", acc);
    }
    acc.indices.push(i);
    if (e.clock_offset_ms !== undefined) {
      acc.offsets.push(e.clock_offset_ms);
      acc.batches.add(e.received_at);
    } else {
      acc.delays.push(e.received_at - e.timestamp);
      const span = acc.spans.get(e.received_at);
      if (span) {
        span.lo = Math.min(span.lo, e.timestamp);
        span.hi = Math.max(span.hi, e.timestamp);
      } else acc.spans.set(e.received_at, { lo: e.timestamp, hi: e.timestamp });
    }
  });

  const times = new Float64Array(entries.length);
  const streams: StreamSkew[] = [];
  const senderOf: StreamSkew[][] = [];
  const indicesOf = new Map<StreamSkew, number[]>();
  for (const sources of senders.values()) {
    const senderStreams: StreamSkew[] = [];
    senderOf.push(senderStreams);
    const accs = [...sources.values()];
    // Sources of one sender usually share its clock; pooling their samples keeps a source with one
    // slow batch from being shifted against the others. A source whose own estimate disagrees by more
    // than the tolerance runs on another clock (another tab, another machine) and keeps its own.
    const pooled = accs.length > 1 ? estimate(pool(accs)) : undefined;
    for (const acc of accs) {
      const own = estimate(acc);
      const shared = pooled && Math.abs(own.offset_ms - pooled.offset_ms) <= SAME_CLOCK_TOLERANCE_MS ? pooled : own;
      const stream = asReference({ ...shared, source: acc.source, entries: acc.indices.length });
      if (stream.source === undefined) delete stream.source;
      streams.push(stream);
      senderStreams.push(stream);
      indicesOf.set(stream, acc.indices);
      for (const i of acc.indices) times[i] = entries[i]!.timestamp + stream.offset_ms;
    }
  }
  applyCausality(entries, times, senderOf, indicesOf);
  return { times, streams, systems: summariseSystems(streams) };
}

function pool(accs: StreamAcc[]): StreamAcc {
  const merged: StreamAcc = { ...accs[0]!, indices: [], offsets: [], delays: [], batches: new Set(), spans: new Map() };
  for (const a of accs) {
    for (const x of a.offsets) merged.offsets.push(x);
    for (const x of a.delays) merged.delays.push(x);
    for (const b of a.batches) merged.batches.add(b);
    for (const [at, span] of a.spans) {
      const m = merged.spans.get(at);
      merged.spans.set(at, m ? { lo: Math.min(m.lo, span.lo), hi: Math.max(m.hi, span.hi) } : { ...span });
    }
  }
  return merged;
}

function estimate(acc: StreamAcc): StreamSkew {
  const bySentAt = acc.offsets.length > 0;
  const samples = bySentAt ? acc.offsets : acc.delays;
  const mid = median(samples);
  let lowest = mid;
  for (const s of samples) if (s < lowest && s >= mid - SKEW_OUTLIER_MS) lowest = s;
  return {
    trace_id: acc.trace_id,
    system: acc.system,
    method: bySentAt ? "sent_at" : "received_at",
    offset_ms: lowest,
    // Without send times, entries may have waited in a client queue for up to a flush interval, which
    // the typical time span of one batch approximates.
    spread_ms: bySentAt
      ? mid - lowest
      : Math.max(mid - lowest, median([...acc.spans.values()].map((s) => s.hi - s.lo))),
    samples: bySentAt ? acc.batches.size : samples.length,
    entries: acc.indices.length,
  };
}

/**
 * A server's small offset is latency (sent_at) or batching delay (received_at), not skew: its clock is
 * the reference unless clearly off, or ahead (entries received before they were written).
 */
function asReference(stream: StreamSkew): StreamSkew {
  if (!SERVER_SYSTEMS.has(stream.system)) return stream;
  const off = stream.offset_ms;
  const clearlyOff =
    stream.method === "sent_at" ? Math.abs(off) > SERVER_SKEW_TOLERANCE_MS : off < -SERVER_SKEW_TOLERANCE_MS;
  return clearlyOff ? stream : { ...stream, method: "reference", offset_ms: 0 };
}

function summariseSystems(streams: StreamSkew[]): SystemSkew[] {
  const bySystem = new Map<System, StreamSkew[]>();
  for (const s of streams) {
    const list = bySystem.get(s.system);
    if (list) list.push(s);
    else bySystem.set(s.system, [s]);
  }
  const result: SystemSkew[] = [];
  for (const [system, list] of bySystem) {
    list.sort((a, b) => a.offset_ms - b.offset_ms);
    const entries = list.reduce((n, s) => n + s.entries, 0);
    let seen = 0;
    const mid = list.find((s) => (seen += s.entries) * 2 >= entries) ?? list[0]!;
    const main = list.reduce((a, b) => (b.entries > a.entries ? b : a));
    const range = list[list.length - 1]!.offset_ms - list[0]!.offset_ms;
    let uncertainty = range;
    for (const s of list) if (s.method !== "reference") uncertainty = Math.max(uncertainty, s.spread_ms);
    // Sources sharing one clock report the pooled sample count, so the largest is the honest figure.
    const samples = list.filter((s) => s.method === main.method).reduce((n, s) => Math.max(n, s.samples), 0);
    const skew: SystemSkew = {
      system,
      method: main.method,
      offset_ms: mid.offset_ms,
      skew_ms: mid.offset_ms === 0 ? 0 : -mid.offset_ms,
      uncertainty_ms: uncertainty,
      entries,
      description: "",
    };
    const paired = list.find((s) => s.pairs);
    if (paired) {
      skew.pairs = paired.pairs!;
      skew.causal_shift_ms = paired.causal_shift_ms ?? 0;
    }
    skew.description = describeSkew(skew, samples);
    result.push(skew);
  }
  return result.sort((a, b) => Math.abs(b.skew_ms) - Math.abs(a.skew_ms) || a.system.localeCompare(b.system));
}

function describeSkew(s: SystemSkew, samples: number): string {
  if (s.method === "reference") return `${s.system} clock is the reference (a server clock, not corrected)`;
  let basis =
    s.method === "sent_at"
      ? `from ${plural(samples, "batch send time")}`
      : `estimated from arrival times of ${plural(samples, "entry", "entries")}, no batch send times`;
  if (s.pairs) {
    const moved = s.causal_shift_ms ? ` moved it ${formatDuration(Math.abs(s.causal_shift_ms))}` : " agree";
    basis += `; ${plural(s.pairs, "request/response pair")}${moved}`;
  }
  const within = `±${formatDuration(s.uncertainty_ms)}`;
  if (Math.abs(s.skew_ms) < SKEW_NEGLIGIBLE_MS) {
    return `${s.system} clock matches the server clock within ${formatDuration(SKEW_NEGLIGIBLE_MS)} (${basis}, ${within})`;
  }
  const direction = s.skew_ms > 0 ? "ahead of" : "behind";
  return `${s.system} clock was ${formatDuration(Math.abs(s.skew_ms))} ${direction} the server clock (${basis}, ${within})`;
}
