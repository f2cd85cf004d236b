// Convex events into traces. Which trace: a trace id the function logged wins; else the trace that named the
// event's Convex request id (the browser's "[Request ID: ...]" messages); else the request's own trace,
// convex-<request id>, until a trace names it and the join copies the events over. Each stored entry says how it
// was placed in context.correlation, so readers can show the evidence.
import { ingestBatch, type IngestResult } from "../ingest.js";
import { RateLimitError } from "../errors.js";
import { MAX_CONVEX_JOIN_ENTRIES, MAX_CONVEX_JOINS_PER_REQUEST, MAX_TRACES_PER_REQUEST } from "../limits.js";
import { errorRef } from "../normalize.js";
import { SAFE_ID_PATTERN, type LogEntry } from "../schema.js";
import { ConvexIndex, UNTRACED_LEGACY_TRACE_ID, untracedTraceId, type JoinClaim } from "../store/convex-index.js";
import { parseStoredEntries, type LogStore, type TraceWrite } from "../store/log-store.js";
import { parseLogStream, type ConvexEvent } from "./log-stream.js";

export interface LogStreamResult {
  accepted: number;
  duplicates: number;
  dropped: Record<string, number>;
  /** Events not stored, by topic. */
  ignored: Record<string, number>;
  /** Stored events by how their trace was found: logged_trace_id, convex_request_id, not_joined. */
  placed: Record<string, number>;
}

export interface Correlation {
  method: "logged_trace_id" | "convex_request_id" | "not_joined";
  request_id?: string;
  evidence: string;
}

/** Stores one log stream body. Commands: one to resolve its request ids (when it has any), one per trace. */
export async function ingestLogStream(
  store: LogStore,
  index: ConvexIndex,
  text: string,
  ctx: { receivedAt: number; redactPatterns?: RegExp[] },
): Promise<LogStreamResult> {
  const parsed = await parseLogStream(text);
  const result: LogStreamResult = { accepted: 0, duplicates: 0, dropped: {}, ignored: parsed.ignored, placed: {} };
  if (parsed.events.length === 0) return result;

  // A trace id logged by any event of a request claims the whole request (its failure logs none).
  const claims = new Map<string, string>();
  for (const e of parsed.events) if (e.requestId && e.loggedTraceId) claims.set(e.requestId, e.loggedTraceId);
  const requestIds = [...new Set(parsed.events.flatMap((e) => (e.requestId && !e.loggedTraceId ? [e.requestId] : [])))];
  for (const id of claims.keys()) if (!requestIds.includes(id)) requestIds.push(id);
  const owners = await index.resolve(requestIds, claims);

  const items = [];
  for (const event of parsed.events) {
    const { traceId, correlation } = place(event, owners, claims);
    // A success outside any trace would only spend the quota: one trace per Convex call, never joined.
    if (event.success && correlation.method === "not_joined") {
      result.ignored.success_not_joined = (result.ignored.success_not_joined ?? 0) + 1;
      continue;
    }
    result.placed[correlation.method] = (result.placed[correlation.method] ?? 0) + 1;
    items.push({ ...event.entry, id: event.id, trace_id: traceId, context: { ...event.entry.context, correlation } });
  }
  if (items.length === 0) return result;
  // A signed Convex batch spans many requests, so many traces: written MAX_TRACES_PER_REQUEST traces per
  // ingestBatch (still one command per trace; at most MAX_CONVEX_EVENTS_PER_REQUEST traces in all).
  const byTrace = new Map<string, typeof items>();
  for (const item of items) {
    const group = byTrace.get(item.trace_id);
    if (group) group.push(item);
    else byTrace.set(item.trace_id, [item]);
  }
  const groups = [...byTrace.values()];
  const chunks: Array<typeof items> = [];
  for (let i = 0; i < groups.length; i += MAX_TRACES_PER_REQUEST) {
    chunks.push(groups.slice(i, i + MAX_TRACES_PER_REQUEST).flat());
  }
  const settled = await Promise.allSettled(
    chunks.map((chunk) =>
      ingestBatch(store, chunk, {
        receivedAt: ctx.receivedAt,
        defaultSystem: "convex",
        redactPatterns: ctx.redactPatterns,
      }),
    ),
  );
  const limited: RateLimitError[] = [];
  settled.forEach((s, i) => {
    if (s.status === "fulfilled") {
      const stored: IngestResult = s.value;
      result.accepted += stored.accepted;
      result.duplicates += stored.duplicates;
      for (const [reason, n] of Object.entries(stored.dropped))
        result.dropped[reason] = (result.dropped[reason] ?? 0) + n;
    } else if (s.reason instanceof RateLimitError) {
      limited.push(s.reason);
      result.dropped.rate_limit = (result.dropped.rate_limit ?? 0) + chunks[i]!.length;
    } else {
      throw s.reason; // 503: Convex retries the batch, and the content-derived ids make that safe
    }
  });
  if (limited.length === chunks.length) throw limited[0]!;
  return result;
}

function place(
  event: ConvexEvent,
  owners: Map<string, string>,
  claims: Map<string, string>,
): { traceId: string; correlation: Correlation } {
  const rid = event.requestId;
  if (event.loggedTraceId) {
    return {
      traceId: event.loggedTraceId,
      correlation: {
        method: "logged_trace_id",
        ...(rid ? { request_id: rid } : {}),
        evidence: `the function logged trace_id=${event.loggedTraceId}`,
      },
    };
  }
  const owner = rid ? owners.get(rid) : undefined;
  if (rid && owner) {
    const correlation = joinedBy(rid);
    if (claims.get(rid) === owner) correlation.evidence += `, whose function logged trace_id=${owner}`;
    return { traceId: owner, correlation };
  }
  if (rid) {
    return {
      traceId: untracedTraceId(rid),
      correlation: {
        method: "not_joined",
        request_id: rid,
        evidence: `no trace has named Convex request id ${rid} yet; joined when one does`,
      },
    };
  }
  return {
    traceId: UNTRACED_LEGACY_TRACE_ID,
    correlation: { method: "not_joined", evidence: "no Convex request id (legacy log stream format) and no trace_id" },
  };
}

function joinedBy(requestId: string): Correlation {
  return { method: "convex_request_id", request_id: requestId, evidence: `joined by Convex request id ${requestId}` };
}

/** "[Request ID: 8f2a1c9d]", as the Convex client prints it in the errors it logs. */
const REQUEST_ID_IN_MESSAGE = /\[Request ID: ([A-Za-z0-9]{1,64})\]/g;

/** Convex request ids an entry names: in its message, or as context.convex_request_id. */
export function requestIdsIn(entry: LogEntry): string[] {
  // Every browser batch passes here: a plain substring test first keeps the common case to one memchr-like scan.
  const ids = entry.message.includes("[Request ID: ")
    ? [...entry.message.matchAll(REQUEST_ID_IN_MESSAGE)].map((m) => m[1]!)
    : [];
  const fromContext = entry.context?.convex_request_id;
  if (typeof fromContext === "string" && /^[A-Za-z0-9]{1,64}$/.test(fromContext)) ids.push(fromContext);
  return ids;
}

/**
 * After a POST /log batch: claims the Convex request ids its entries name for their traces, and copies the
 * Convex events that arrived before into those traces. Nothing to do (no command) when no entry names one.
 * Commands: one for the claims, one per trace that receives copies. Returns the number of events copied.
 * The claim and the read of the held events are one script; the copy is a second command. An event whose request
 * was resolved just before the claim but written just after the read stays in the request's own trace (found by
 * every reader, not joined); a failed copy is retried by the client's retry of the batch (ids make it idempotent).
 */
export async function joinConvexRequests(store: LogStore, index: ConvexIndex, entries: LogEntry[]): Promise<number> {
  const claims: JoinClaim[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    // Convex's own events name their request in context, not as a claim; a request's own trace never claims it.
    if (entry.system === "convex") continue;
    for (const requestId of requestIdsIn(entry)) {
      if (seen.has(requestId) || claims.length >= MAX_CONVEX_JOINS_PER_REQUEST) continue;
      if (entry.trace_id === untracedTraceId(requestId)) continue;
      seen.add(requestId);
      claims.push({ requestId, traceId: entry.trace_id });
    }
  }
  if (claims.length === 0) return 0;
  const joins = await index.join(claims, MAX_CONVEX_JOIN_ENTRIES);
  const writes = new Map<string, TraceWrite>();
  for (const join of joins) {
    if (!join.owned || join.held.length === 0) continue;
    for (const held of parseStoredEntries(join.held)) {
      if (held.system !== "convex" || !SAFE_ID_PATTERN.test(join.traceId)) continue;
      const entry: LogEntry = {
        ...held,
        trace_id: join.traceId,
        context: { ...held.context, correlation: joinedBy(join.requestId) },
      };
      let write = writes.get(join.traceId);
      if (!write) writes.set(join.traceId, (write = { traceId: join.traceId, entries: [], extraDrops: [] }));
      write.entries.push({ entry, json: JSON.stringify(entry), errorRef: errorRef(entry) });
    }
  }
  const results = await Promise.all([...writes.values()].map((w) => store.writeTrace(w)));
  return results.reduce((n, r) => n + r.accepted, 0);
}
