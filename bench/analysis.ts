// Analysis speed and memory, run by bench/run.mjs in child processes (bundled with esbuild first): the core
// functions behind correlate_trace and get_trace on fixture traces, no HTTP and no Redis.
//   node analysis.mjs time <entries> <runs>      -> one JSON line: median/min/max ms per function
//   node --expose-gc --trace-gc analysis.mjs memory <function> <entries>
//                                                -> BEGIN/END markers around one call, V8's GC lines between
import { correlateTrace } from "../core/analysis/correlate.js";
import { noisyTrace } from "../core/analysis/fixtures.js";
import { correlate } from "../core/query-correlate-trace.js";
import { getTrace } from "../core/query-get-trace.js";
import type { LogEntry, TraceSummary } from "../core/schema.js";
import { parseStoredEntries, type LogStore } from "../core/store/log-store.js";

/** Untimed passes over every subject before timing: JIT tiers and lazy initialisation settle. */
const WARM_UP_PASSES = 3;
/** The page size get_trace uses when the agent gives none (mcp-server/tools/get-trace.ts). */
const GET_TRACE_DEFAULT_LIMIT = 200;

interface Trace {
  id: string;
  entries: LogEntry[];
  summary: TraceSummary;
  /** The entries as the store holds them: one JSON entry per list element. */
  stored: string[];
}

type Subject = (trace: Trace) => unknown;

/** A store that already holds the trace: the query functions run unchanged, minus the Redis round trip. */
function storeWith(trace: Trace): LogStore {
  const n = trace.entries.length;
  const coverage = { complete: true, elements: n, read: n, not_read: [] };
  return {
    readTrace: async () => ({ entries: trace.entries, summary: trace.summary, coverage }),
  } as unknown as LogStore;
}

const SUBJECTS: Record<string, Subject> = {
  /** correlateTrace alone: clock correction, timeline, chains, root cause (the target's subject). */
  correlate_trace: (t) => correlateTrace(t.entries, t.summary),
  /** What the correlate_trace tool runs after reading the trace: correlateTrace, then the budgeted view and its text (core/query-correlate-trace.ts). */
  correlate_trace_tool: (t) => correlate(storeWith(t), t.id),
  /** What the get_trace tool runs after reading the trace: timeline, filter, warnings, the budgeted page view and its text. */
  get_trace: (t) => getTrace(storeWith(t), { trace_id: t.id, limit: GET_TRACE_DEFAULT_LIMIT }),
  /** What LogStore.readTrace does to the stored JSON before either: JSON.parse and LogEntrySchema per entry. */
  read_trace_decode: (t) => parseStoredEntries(t.stored),
};

function fixture(size: number): Trace {
  const id = `bench-${size}`;
  const entries = noisyTrace(size, 7, id);
  const count = (key: (e: LogEntry) => string) => {
    const out: Record<string, number> = {};
    for (const e of entries) out[key(e)] = (out[key(e)] ?? 0) + 1;
    return out;
  };
  const summary: TraceSummary = {
    trace_id: id,
    first_seen: entries[0]?.received_at ?? 0,
    last_seen: entries[entries.length - 1]?.received_at ?? 0,
    count: entries.length,
    error_count: entries.filter((e) => e.level === "error").length,
    by_system: count((e) => e.system),
    by_level: count((e) => e.level),
    users: [],
    dropped: [],
    ttl_seconds: 3600,
  };
  const stored = entries.map((e) => JSON.stringify(e));
  return { id, entries, summary, stored };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Subjects interleaved run by run, after warm-up passes, so none is timed while the JIT still favours another. */
async function time(size: number, runs: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const trace = fixture(size);
  const subjects = Object.entries(SUBJECTS);
  const samples = new Map<string, number[]>(subjects.map(([name]) => [name, []]));
  for (let k = 0; k < WARM_UP_PASSES; k++) for (const [, subject] of subjects) await subject(trace);
  for (let k = 0; k < runs; k++) {
    for (const [name, subject] of subjects) {
      gc?.(); // no subject pays for the garbage of the one before
      const start = performance.now();
      await subject(trace);
      samples.get(name)!.push(performance.now() - start);
    }
  }
  const out: Record<string, { median_ms: number; min_ms: number; max_ms: number; runs: number }> = {};
  for (const [name, xs] of samples)
    out[name] = { median_ms: median(xs), min_ms: Math.min(...xs), max_ms: Math.max(...xs), runs };
  process.stdout.write(`${JSON.stringify({ entries: trace.entries.length, functions: out })}\n`);
}

/**
 * One call between markers, after a full GC. run.mjs reads V8's --trace-gc lines between the markers: the heap
 * size before each collection is a local peak, and the heap at END is the last one; the largest minus the
 * heap at BEGIN is the peak extra heap of the call (the fixture itself is not counted).
 */
async function memory(name: string, size: number): Promise<void> {
  const subject = SUBJECTS[name];
  if (!subject) throw new Error(`unknown function ${name}; one of ${Object.keys(SUBJECTS).join(", ")}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  const trace = fixture(size);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  process.stdout.write(`@@BEGIN ${before}\n`);
  const result = await subject(trace);
  const after = process.memoryUsage().heapUsed;
  process.stdout.write(`@@END ${after}\n`);
  gc();
  const retained = process.memoryUsage().heapUsed - before;
  process.stdout.write(`@@RETAINED ${retained} ${result ? 1 : 0}\n`);
}

const [mode, a, b] = process.argv.slice(2);
if (mode === "time") await time(Number(a), Number(b));
else if (mode === "memory") await memory(String(a), Number(b));
else throw new Error("usage: analysis.mjs time <entries> <runs> | memory <function> <entries>");
