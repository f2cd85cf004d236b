// Convex without log streams (the free plan): queries and mutations cannot make HTTP calls, so a mutation collects
// its log lines with mutationLogger() and schedules an internal action that ships them to POST /log, under the
// trace id the client passed in. Queries cannot schedule anything: their logs reach a trace only through a log
// stream (POST /convex/log-stream). A mutation that throws is rolled back with everything it scheduled, so a
// failure is shipped only if the mutation catches it, logs it, schedules, and returns rather than rethrows.
import type { FunctionReference, Scheduler } from "convex/server";
import { v } from "convex/values";
import { redactString, redactValue } from "../../core/redact.js";
import { SAFE_ID, randomHex } from "../shared/ids.js";
import { createSender, type FetchLike } from "../shared/sender.js";
import { argToText, stackOf, toJsonSafe, truncate, MAX_MESSAGE_CHARS, MAX_STACK_CHARS } from "../shared/serialize.js";
import type { Level, WireEntry } from "../shared/types.js";

/** Most entries one mutation ships; later ones are counted, not kept (Convex caps function arguments at 8 MiB). */
export const MAX_SHIPPED_ENTRIES = 200;

/** Validator for the shipping action's arguments: `internalAction({ args: shipLogsArgs, handler })`. */
export const shipLogsArgs = {
  entries: v.array(
    v.object({
      id: v.string(),
      trace_id: v.string(),
      system: v.literal("convex"),
      level: v.union(v.literal("debug"), v.literal("log"), v.literal("info"), v.literal("warn"), v.literal("error")),
      message: v.string(),
      timestamp: v.number(),
      source: v.optional(v.string()),
      user_id: v.optional(v.string()),
      stack: v.optional(v.string()),
      context: v.optional(v.any()),
    }),
  ),
  dropped: v.optional(v.number()),
};

export interface ShipLogsArgs {
  entries: WireEntry[];
  dropped?: number;
}

export interface MutationLoggerOptions {
  /** The trace the client passed to the mutation (1-128 of [A-Za-z0-9._:-]); entries are discarded without one. */
  traceId: string | undefined;
  /** Names the function in every entry, e.g. "payments:createPaymentIntent". */
  source?: string;
  userId?: string;
}

export interface MutationLogger {
  readonly traceId: string | undefined;
  debug(message: unknown, context?: Record<string, unknown>): void;
  log(message: unknown, context?: Record<string, unknown>): void;
  info(message: unknown, context?: Record<string, unknown>): void;
  warn(message: unknown, context?: Record<string, unknown>): void;
  /** Pass an Error as the message or as context.error and its stack is kept. */
  error(message: unknown, context?: Record<string, unknown>): void;
  /** What would be shipped now. */
  readonly pending: ShipLogsArgs;
  /**
   * Schedules `shipAction` (an internal action whose handler calls shipLogs) with the collected entries, to run
   * once this mutation commits. Does nothing when there is nothing to ship or no trace id.
   */
  ship(scheduler: Scheduler, shipAction: FunctionReference<"action", "internal" | "public">): Promise<void>;
}

export function mutationLogger(options: MutationLoggerOptions): MutationLogger {
  const traceId = options.traceId && SAFE_ID.test(options.traceId) ? options.traceId : undefined;
  const entries: WireEntry[] = [];
  const prefix = randomHex(6);
  let dropped = 0;
  const write = (level: Level) => (message: unknown, context?: Record<string, unknown>) => {
    if (!traceId) return;
    if (entries.length >= MAX_SHIPPED_ENTRIES) {
      dropped++;
      return;
    }
    const error = message instanceof Error ? message : context?.error instanceof Error ? context.error : undefined;
    const text = message instanceof Error ? `${message.name}: ${message.message}` : argToText(message);
    const entry: WireEntry = {
      id: `${prefix}-${entries.length.toString(36)}`,
      trace_id: traceId,
      system: "convex",
      level,
      message: truncate(redactString(text), MAX_MESSAGE_CHARS),
      timestamp: Date.now(),
    };
    if (options.source) entry.source = options.source;
    if (options.userId) entry.user_id = options.userId;
    const stack = stackOf(error);
    if (stack) entry.stack = truncate(redactString(stack), MAX_STACK_CHARS);
    if (context) entry.context = redactValue(toJsonSafe(context) as Record<string, unknown>);
    entries.push(entry);
  };
  return {
    traceId,
    debug: write("debug"),
    log: write("log"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    get pending() {
      return { entries: [...entries], ...(dropped ? { dropped } : {}) };
    },
    async ship(scheduler, shipAction) {
      if (!traceId || entries.length === 0) return;
      // The entries are plain JSON values; Convex's argument types cannot see that through Record<string, unknown>.
      const runAfter = scheduler.runAfter as (ms: number, fn: unknown, args: ShipLogsArgs) => Promise<unknown>;
      await runAfter.call(scheduler, 0, shipAction, this.pending);
    },
  };
}

/**
 * For deployments with a log stream: writes one console line that names the trace (`debug-logs trace_id=<id>`), so
 * every other line and the outcome of this Convex request join that trace, in queries too. Invalid ids are ignored.
 */
export function logTraceId(traceId: string | undefined): void {
  if (traceId && SAFE_ID.test(traceId)) console.info(`debug-logs trace_id=${traceId}`);
}

export interface ShipOptions {
  /** URL of POST /log, e.g. "https://debug-logs.example.workers.dev/log". */
  endpoint: string;
  /** The deployment's INGEST_TOKEN. */
  token: string;
  /** Attempts, the first included. Default 3 (an action has a time limit). */
  maxAttempts?: number;
  fetch?: FetchLike;
}

/** The shipping action's handler: sends the entries a mutation collected. Resolves when delivered or given up. */
export async function shipLogs(args: ShipLogsArgs, options: ShipOptions): Promise<void> {
  const sender = createSender({
    endpoint: options.endpoint,
    fetch: options.fetch ?? ((url, init) => fetch(url, init)),
    headers: {
      "Content-Type": "application/json",
      Authorization: `Bearer ${options.token}`,
      "X-Debug-Logs-System": "convex",
    },
    batchSize: MAX_SHIPPED_ENTRIES,
    flushIntervalMs: 0,
    maxQueue: MAX_SHIPPED_ENTRIES,
    maxAttempts: options.maxAttempts ?? 3,
    baseDelayMs: 500,
    maxDelayMs: 4000,
    maxRetryAfterMs: 5000,
    requestTimeoutMs: 10_000,
  });
  if (args.dropped) sender.drop("mutation_log_limit", args.dropped);
  for (const entry of args.entries) sender.push(entry);
  await sender.flush();
}
