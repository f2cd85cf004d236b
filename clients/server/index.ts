// Server client for Convex actions, Cloudflare Workers and Node: structured logging bound to a trace id, shipped to
// POST /log in batches with the ingest token. Uses only `fetch`; flush() is what a Convex action awaits at its end
// and what a Worker hands to ctx.waitUntil.
import { redactString, redactValue, type RedactPattern } from "../../core/redact.js";
import { argToText, formatArgs, stackOf, toJsonSafe, truncate, MAX_MESSAGE_CHARS } from "../shared/serialize.js";
import { createSender, type FetchLike, type Sender } from "../shared/sender.js";
import { SAFE_ID, formatTraceparent, newSpanId, newTraceId, parseTraceparent, randomHex } from "../shared/ids.js";
import type { Level, System, WireEntry } from "../shared/types.js";

export type { Level, System, WireEntry } from "../shared/types.js";
export type { FetchLike } from "../shared/sender.js";
export { parseTraceparent, formatTraceparent, newTraceId } from "../shared/ids.js";

export interface LoggerOptions {
  /** URL of the ingestion endpoint, e.g. "https://debug-logs.example.workers.dev/log". */
  endpoint: string;
  /** The deployment's INGEST_TOKEN, sent as `Authorization: Bearer <token>`. */
  token: string;
  /** Which system writes: "convex" or "worker" (sent as X-Debug-Logs-System and in every entry). */
  system: System;
  /** Names the component in every entry's `source`, e.g. "email-worker" or "convex:payments". */
  source?: string;
  /** Trace for entries logged on the root logger; a new random one by default. Prefer child() per request. */
  traceId?: string;
  /** Entries per request. Default 50. */
  batchSize?: number;
  /** Longest an entry waits before it is sent, ms. Default 1000; 0 sends only on a full batch or flush(). */
  flushIntervalMs?: number;
  /** Most entries held while the endpoint is slow or down; the oldest are dropped beyond it. Default 1000. */
  maxQueue?: number;
  /** Attempts per batch, the first included. Default 5 (flush() then takes at most about 20 s). */
  maxAttempts?: number;
  /** Abort a request that has not answered after this long, ms. Default 10000. */
  requestTimeoutMs?: number;
  /** Extra secrets to redact (substring or RegExp), on top of the built-in rules. */
  redact?: RedactPattern[];
  /** fetch to use, e.g. a service binding's fetch or a test double. Default the global fetch. */
  fetch?: FetchLike;
}

export interface ChildBindings {
  /** Trace to log under (1-128 of [A-Za-z0-9._:-]). */
  traceId?: string;
  /** A W3C traceparent header from the incoming request; its trace id and parent span are used. Ignored if malformed. */
  traceparent?: string | null;
  /** Span recorded on entries; the traceparent's parent id by default. */
  spanId?: string;
  userId?: string;
  source?: string;
  /** Fields merged into every entry's context. */
  context?: Record<string, unknown>;
}

export interface Logger {
  readonly traceId: string;
  readonly spanId?: string;
  debug(message: unknown, context?: unknown): void;
  log(message: unknown, context?: unknown): void;
  info(message: unknown, context?: unknown): void;
  warn(message: unknown, context?: unknown): void;
  /** Pass an Error as the message or the context (or inside the context) and its stack is kept. */
  error(message: unknown, context?: unknown): void;
  /** A logger bound to a trace (and user, span, context) that shares this one's queue. */
  child(bindings: ChildBindings): Logger;
  /** A traceparent header value to propagate this trace to a downstream call (undefined for non-hex trace ids). */
  traceparent(): string | undefined;
  /** Sends everything queued; resolves when delivered or given up (never rejects). Await it before returning. */
  flush(): Promise<void>;
}

interface Bound {
  traceId: string;
  spanId?: string;
  userId?: string;
  source?: string;
  context?: Record<string, unknown>;
}

const LEVELS: Level[] = ["debug", "log", "info", "warn", "error"];
// Console writes go through the logger that captureConsole() was given, without widening the public interface.
const consoleWriters = new WeakMap<Logger, (level: Level, args: unknown[]) => void>();

export function createLogger(options: LoggerOptions): Logger {
  const fetchImpl: FetchLike | undefined =
    options.fetch ?? (typeof fetch === "function" ? (url, init) => fetch(url, init) : undefined);
  if (!fetchImpl) throw new TypeError("createLogger: no global fetch here; pass options.fetch");
  const sender = createSender({
    endpoint: options.endpoint,
    fetch: fetchImpl,
    headers: {
      "Content-Type": "application/json",
      Authorization: `Bearer ${options.token}`,
      "X-Debug-Logs-System": options.system,
    },
    batchSize: options.batchSize ?? 50,
    flushIntervalMs: options.flushIntervalMs ?? 1000,
    maxQueue: options.maxQueue ?? 1000,
    maxAttempts: options.maxAttempts ?? 5,
    baseDelayMs: 500,
    maxDelayMs: 8000,
    maxRetryAfterMs: 10_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
  });
  const traceId = options.traceId && SAFE_ID.test(options.traceId) ? options.traceId : newTraceId();
  return makeLogger(options, sender, { traceId, source: options.source }, randomHex(6), { n: 0 });
}

function makeLogger(
  options: LoggerOptions,
  sender: Sender,
  bound: Bound,
  idPrefix: string,
  seq: { n: number },
): Logger {
  const extra = options.redact ?? [];

  const write = (level: Level, message: string, stack?: string, context?: Record<string, unknown>) => {
    const entry: WireEntry = {
      id: `${idPrefix}-${(seq.n++).toString(36)}`,
      trace_id: bound.traceId,
      system: options.system,
      level,
      message: redactString(message, extra),
      timestamp: Date.now(),
    };
    if (bound.spanId) entry.span_id = bound.spanId;
    if (bound.userId) entry.user_id = bound.userId;
    if (bound.source) entry.source = bound.source;
    if (stack) entry.stack = redactString(stack, extra);
    const merged = bound.context || context ? { ...bound.context, ...context } : undefined;
    if (merged) entry.context = redactValue(toJsonSafe(merged) as Record<string, unknown>, extra);
    sender.push(entry);
  };

  const structured = (level: Level) => (message: unknown, context?: unknown) => {
    try {
      let stack = stackOf(message);
      const text = message instanceof Error ? `${message.name}: ${message.message}` : argToText(message);
      let ctx: Record<string, unknown> | undefined;
      if (context instanceof Error) {
        stack ??= stackOf(context);
        ctx = { error: withoutStack(context) };
      } else if (context !== undefined && context !== null) {
        if (typeof context === "object" && !Array.isArray(context)) {
          ctx = context as Record<string, unknown>;
          stack ??= stackOf(Object.values(ctx).find((v) => v instanceof Error));
        } else {
          ctx = { value: context };
        }
      }
      write(level, truncate(text, MAX_MESSAGE_CHARS), stack, ctx);
    } catch {
      // Logging must never break the caller.
    }
  };

  const logger: Logger = {
    traceId: bound.traceId,
    spanId: bound.spanId,
    debug: structured("debug"),
    log: structured("log"),
    info: structured("info"),
    warn: structured("warn"),
    error: structured("error"),
    child(bindings: ChildBindings) {
      const parent = parseTraceparent(bindings.traceparent);
      const next: Bound = { ...bound, context: { ...bound.context, ...bindings.context } };
      if (!Object.keys(next.context!).length) delete next.context;
      if (parent) {
        next.traceId = parent.traceId;
        next.spanId = parent.spanId;
      } else if (bindings.traceId && SAFE_ID.test(bindings.traceId)) {
        next.traceId = bindings.traceId;
        delete next.spanId;
      } else if (bindings.traceparent !== undefined || bindings.traceId !== undefined) {
        // Asked for a trace we cannot use (missing or malformed header): start a fresh one rather than mix traces.
        next.traceId = newTraceId();
        delete next.spanId;
      }
      if (bindings.spanId && SAFE_ID.test(bindings.spanId)) next.spanId = bindings.spanId;
      if (bindings.userId) next.userId = bindings.userId;
      if (bindings.source) next.source = bindings.source;
      return makeLogger(options, sender, next, idPrefix, seq);
    },
    traceparent: () => formatTraceparent(bound.traceId, newSpanId()),
    flush: () => sender.flush(),
  };

  consoleWriters.set(logger, (level, args) => {
    const error = args.find((a): a is Error => a instanceof Error);
    const objects: unknown[] = [];
    // Serialise each object once (getters run once); Errors stay Errors so the message reads "Name: message".
    const safeArgs = args.map((a) => {
      if (typeof a !== "object" || a === null) return a;
      const json = a === error ? withoutStack(error) : toJsonSafe(a);
      objects.push(json);
      return a === error ? a : json;
    });
    write(level, formatArgs(safeArgs), stackOf(error), objects.length ? { args: objects } : undefined);
  });
  return logger;
}

function withoutStack(error: Error): unknown {
  const json = toJsonSafe(error) as Record<string, unknown>;
  delete json.stack;
  return json;
}

/**
 * Ships existing console.log/info/warn/error/debug calls through a logger, still printing them as before. Pass a
 * function to pick the logger per call (e.g. the current request's child from AsyncLocalStorage); calls made when it
 * returns undefined are only printed. Returns a function that restores the console.
 */
export function captureConsole(target: Logger | (() => Logger | undefined), levels: Level[] = LEVELS): () => void {
  const con = console as unknown as Record<Level, (...args: unknown[]) => void>;
  const restores: (() => void)[] = [];
  let busy = false; // a console call made while we capture (a getter, a toJSON) is printed, not captured
  for (const level of levels) {
    const original = con[level];
    if (typeof original !== "function") continue;
    const wrapper = (con[level] = (...args: unknown[]) => {
      original.apply(console, args);
      if (busy) return;
      busy = true;
      try {
        const logger = typeof target === "function" ? target() : target;
        if (logger) consoleWriters.get(logger)?.(level, args);
      } catch {
        // Never let log shipping break a console call.
      } finally {
        busy = false;
      }
    });
    restores.push(() => {
      if (con[level] === wrapper) con[level] = original;
    });
  }
  return () => restores.forEach((restore) => restore());
}
