// The fixture simulator: turns events on a true timeline into stored entries the way ingestion would.
// Each system stamps with its own (skewed) clock and flushes in batches; the server stamps received_at
// on arrival and, when the batch carried sent_at, clock_offset_ms. Used by fixtures.ts and benchmarks.
import type { Level, LogEntry, System } from "../schema.js";

/** True time zero of every fixture: 2025-01-15T12:00:00Z. */
export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export interface ClockSpec {
  /** How far the system's clock is ahead of true time, ms (negative: behind). */
  skewMs?: number;
  /** Network latency of batch n, ms. Default 40. */
  latencyMs?: number | ((batch: number) => number);
  /** Batches are flushed at multiples of this, ms; 0 sends every entry at once. Default 0. */
  flushEveryMs?: number;
  /** Whether batches carry sent_at (giving clock_offset_ms). Default true. */
  sentAt?: boolean;
}

export interface FixtureEvent {
  /** True time, ms after T0. */
  at: number;
  system: System;
  level?: Level;
  message: string;
  stack?: string;
  source?: string;
  context?: Record<string, unknown>;
  id?: string;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so fixtures are stable. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Entries as the store returns them: in arrival order (received_at, then send order). */
export function simulate(
  traceId: string,
  events: FixtureEvent[],
  clocks: Partial<Record<System, ClockSpec>> = {},
): LogEntry[] {
  const out: Array<{ entry: LogEntry; order: number }> = [];
  const counters = new Map<System, number>();
  const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  for (const { e } of sorted) {
    const clock = clocks[e.system] ?? {};
    const skew = clock.skewMs ?? 0;
    const flush = clock.flushEveryMs ?? 0;
    const sentTrue = flush > 0 ? Math.ceil((e.at + 1) / flush) * flush : e.at;
    const batch = flush > 0 ? sentTrue / flush : e.at;
    const latency = typeof clock.latencyMs === "function" ? clock.latencyMs(batch) : (clock.latencyMs ?? 40);
    const n = (counters.get(e.system) ?? 0) + 1;
    counters.set(e.system, n);
    const entry: LogEntry = {
      id: e.id ?? `${e.system.slice(0, 2)}-${n}`,
      trace_id: traceId,
      system: e.system,
      level: e.level ?? "log",
      message: e.message,
      timestamp: T0 + e.at + skew,
      received_at: T0 + sentTrue + latency,
    };
    if (clock.sentAt !== false) entry.clock_offset_ms = entry.received_at - (T0 + sentTrue + skew);
    if (e.source) entry.source = e.source;
    if (e.stack) entry.stack = e.stack;
    if (e.context) entry.context = e.context;
    out.push({ entry, order: out.length });
  }
  return out.sort((a, b) => a.entry.received_at - b.entry.received_at || a.order - b.order).map((x) => x.entry);
}

/** The same entries as if no batch had carried sent_at (older clients, curl). */
export function withoutSentAt(entries: LogEntry[]): LogEntry[] {
  return entries.map(({ clock_offset_ms: _offset, ...e }) => e);
}
