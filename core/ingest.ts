// Ingestion use case: normalise a batch, write each trace once (one Redis command per trace, at most
// MAX_TRACES_PER_REQUEST of them), and report what was stored and what was dropped, by reason.
import { InputError, RateLimitError, StoreUnavailableError } from "./errors.js";
import { errorRef, normalizeBatch, type EntryProblem, type NormalizeContext } from "./normalize.js";
import type { LogEntry } from "./schema.js";
import type { LogStore, TraceWrite, WriteResult } from "./store/log-store.js";

export interface IngestResult {
  accepted: number;
  duplicates: number;
  dropped: Record<string, number>;
  problems: EntryProblem[];
  /** The entries as normalised (stored unless a limit or a duplicate id refused them). */
  entries: LogEntry[];
}

/** What became of one trace's write when the store failed for some of a batch's traces. */
export interface TraceOutcome {
  trace_id: string;
  outcome: "stored" | "unknown";
  accepted?: number;
  duplicates?: number;
}

export async function ingestBatch(store: LogStore, body: unknown, ctx: NormalizeContext): Promise<IngestResult> {
  const batch = normalizeBatch(body, ctx);
  if (batch.entries.length === 0) {
    throw new InputError("No valid entries in the batch; nothing was stored", batch.problems);
  }
  const byTrace = new Map<string, TraceWrite>();
  for (const entry of batch.entries) {
    let write = byTrace.get(entry.trace_id);
    if (!write) byTrace.set(entry.trace_id, (write = { traceId: entry.trace_id, entries: [], extraDrops: [] }));
    write.entries.push({ entry, json: JSON.stringify(entry), errorRef: errorRef(entry) });
  }
  // Drops decided before the store are recorded with the trace they belong to, so readers can say so.
  const first = batch.entries[0] as LogEntry;
  const firstWrite = byTrace.get(first.trace_id) as TraceWrite;
  for (const [reason, count] of Object.entries(batch.dropped)) {
    firstWrite.extraDrops.push({ system: first.system, reason, count });
  }
  for (const [reason, count] of Object.entries(batch.clientDropped)) {
    firstWrite.extraDrops.push({ system: first.system, reason: `client_${reason}`, count });
  }
  for (const { traceId } of batch.invalid) {
    const write = (traceId && byTrace.get(traceId)) || firstWrite;
    const existing = write.extraDrops.find((d) => d.reason === "invalid");
    if (existing) existing.count += 1;
    else write.extraDrops.push({ system: first.system, reason: "invalid", count: 1 });
  }

  const writes = [...byTrace.values()];
  const settled = await Promise.allSettled(writes.map((w) => store.writeTrace(w, ctx.receivedAt)));
  const results = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  if (results.length < settled.length) throw partialFailure(writes, settled);

  const dropped: Record<string, number> = { ...batch.dropped };
  if (batch.invalid.length) dropped.invalid = batch.invalid.length;
  if (batch.overTraceLimit) dropped.trace_limit = batch.overTraceLimit;
  let accepted = 0;
  let duplicates = 0;
  let retryAfter = 0;
  for (const r of results) {
    accepted += r.accepted;
    duplicates += r.duplicates;
    retryAfter = Math.max(retryAfter, r.retryAfterSeconds);
    for (const [reason, n] of Object.entries(r.dropped)) if (n) dropped[reason] = (dropped[reason] ?? 0) + n;
  }
  if (accepted === 0 && duplicates === 0 && retryAfter > 0) {
    throw new RateLimitError(`Rate limited: ${describeDrops(dropped)}; nothing was stored`, retryAfter);
  }
  return { accepted, duplicates, dropped, problems: batch.problems, entries: batch.entries };
}

/**
 * The store failed for some traces: the others are committed, the failed ones may or may not be (a write can land
 * after its timeout). Says which is which; retrying the whole batch is safe because every entry has a stable id.
 */
function partialFailure(writes: TraceWrite[], settled: PromiseSettledResult<WriteResult>[]): Error {
  const failures = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as unknown] : []));
  const cause = failures[0];
  if (!(cause instanceof StoreUnavailableError)) return cause instanceof Error ? cause : new Error(String(cause));
  if (failures.length === writes.length) return cause;
  const outcomes: TraceOutcome[] = settled.map((s, i) =>
    s.status === "fulfilled"
      ? { trace_id: writes[i]!.traceId, outcome: "stored", accepted: s.value.accepted, duplicates: s.value.duplicates }
      : { trace_id: writes[i]!.traceId, outcome: "unknown" },
  );
  return new StoreUnavailableError(
    `${cause.message} (for ${failures.length} of ${writes.length} traces; the others were stored)`,
    { cause, details: outcomes },
  );
}

function describeDrops(dropped: Record<string, number>): string {
  return Object.entries(dropped)
    .map(([reason, n]) => `${n} dropped by ${reason}`)
    .join(", ");
}
