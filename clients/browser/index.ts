// Browser client: captures console calls, uncaught errors and unhandled rejections, tags them with a trace id and
// ships them to POST /log in batches. It never throws into the app and never logs through the console it captures.
import { redactString, redactValue, type RedactPattern } from "../../core/redact.js";
import { argToText, formatArgs, stackOf, toJsonSafe, truncate } from "../shared/serialize.js";
import {
  createSender,
  UNLOAD_BODY_LIMIT,
  byteLength,
  isRetryable,
  type Batch,
  type FetchLike,
} from "../shared/sender.js";
import { SAFE_ID, formatTraceparent, newTraceId, randomHex } from "../shared/ids.js";
import type { Level, WireEntry } from "../shared/types.js";

export type { Level, WireEntry } from "../shared/types.js";

export interface BrowserClientOptions {
  /** Where to post logs: "/log" on the same origin, or "https://logs.example.com/log". */
  endpoint: string;
  /** Trace to start with; a new random one (32 hex characters) by default. */
  traceId?: string;
  /** User id attached to every entry. */
  userId?: string;
  /** Names the app or page in every entry's `source`, e.g. "checkout-web". */
  source?: string;
  /** Console methods to capture. Default all: debug, log, info, warn, error. */
  levels?: Level[];
  /** Capture `error` and `unhandledrejection` events. Default true. */
  captureErrors?: boolean;
  /** Entries per request. Default 20. */
  batchSize?: number;
  /** Longest an entry waits before it is sent, ms. Default 1000. */
  flushIntervalMs?: number;
  /** Most entries held while the endpoint is slow or down; the oldest are dropped beyond it. Default 500. */
  maxQueue?: number;
  /** Attempts per batch before it is given up. Default 8 (about two minutes of backoff). */
  maxAttempts?: number;
  /** Entries per minute the page may send; the rest are dropped and counted. Default 300. */
  maxPerMinute?: number;
  /** Identical messages within this window are folded into one entry with `context.repeat_count`, ms. Default 2000. */
  dedupeWindowMs?: number;
  /** Messages matching any of these (substring or RegExp) are not sent. */
  ignore?: RedactPattern[];
  /** Extra secrets to redact (substring or RegExp), on top of the built-in rules. */
  redact?: RedactPattern[];
  /** Add a W3C `traceparent` header to fetch requests whose URL starts with one of these or matches the RegExp. Off by default. */
  propagateTo?: (string | RegExp)[];
  /** Replaces the page's fetch for delivery (tests). */
  fetch?: FetchLike;
}

export interface BrowserClient {
  /** Restores console and fetch, removes listeners and sends what is queued. */
  uninstall(): void;
  /** Sends everything queued; resolves when delivered or given up. Never rejects. */
  flush(): Promise<void>;
  getTraceId(): string;
  /** Starts a new trace (call it at the start of a user action); returns its id. */
  newTrace(): string;
  /** Continues an existing trace; ignored (returns false) unless the id is 1-128 of [A-Za-z0-9._:-]. */
  setTraceId(id: string): boolean;
  /** Attaches a user id to later entries; undefined clears it. */
  setUser(id: string | undefined): void;
}

type ConsoleFn = (...args: unknown[]) => void;

const ALL_LEVELS: Level[] = ["debug", "log", "info", "warn", "error"];
/** Longest page URL kept per entry, characters. */
const MAX_URL_CHARS = 2048;
/** Distinct recent messages remembered for folding repeats. */
const MAX_RECENT = 100;

let current: BrowserClient | undefined;

const matches = (text: string, patterns: readonly (string | RegExp)[]) =>
  patterns.some((p) => (typeof p === "string" ? text.includes(p) : text.search(p) >= 0));

/** Starts capturing. Calling it again replaces the previous installation. */
export function install(options: BrowserClientOptions): BrowserClient {
  current?.uninstall();
  const g = globalThis as unknown as Record<string, unknown> & Window;
  const con = console as unknown as Record<Level, ConsoleFn>;
  const nativeFetch = g.fetch as typeof fetch | undefined;
  const extra = options.redact ?? [];
  const ignore = options.ignore ?? [];
  const propagateTo = options.propagateTo ?? [];
  const maxPerMinute = options.maxPerMinute ?? 300;
  const dedupeWindowMs = options.dedupeWindowMs ?? 2000;
  const endpoint = options.endpoint;

  const sender = createSender({
    endpoint,
    fetch: options.fetch ?? ((url, init) => nativeFetch!.call(g, url, init)),
    // No headers: a string body goes out as text/plain, a "simple" request that needs no CORS preflight.
    headers: {},
    batchSize: options.batchSize ?? 20,
    flushIntervalMs: options.flushIntervalMs ?? 1000,
    maxQueue: options.maxQueue ?? 500,
    maxAttempts: options.maxAttempts ?? 8,
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    maxRetryAfterMs: 300_000,
    requestTimeoutMs: 30_000,
    keepalive: true,
  });

  let traceId = options.traceId && SAFE_ID.test(options.traceId) ? options.traceId : newTraceId();
  let userId = options.userId;
  let active = true;
  let busy = false; // re-entrancy guard: a console call made while we capture is passed through, not captured
  let seq = 0;
  let windowStart = 0;
  let windowCount = 0;
  const idPrefix = randomHex(6);
  const recent = new Map<string, { entry: WireEntry; at: number }>();
  const undo: (() => void)[] = []; // restores what install() patched, unless someone patched it again since
  const listeners = new AbortController();
  const on = (target: EventTarget | undefined, type: string, fn: (event: never) => void) =>
    target?.addEventListener?.(type, fn as EventListener, { signal: listeners.signal });

  const guard = (fn: () => void) => {
    if (!active || busy) return;
    busy = true;
    try {
      fn();
    } catch {
      // The client must never break the page.
    } finally {
      busy = false;
    }
  };

  function record(level: Level, rawMessage: string, stack?: string, context?: Record<string, unknown>) {
    if (matches(rawMessage, ignore)) return;
    const message = redactString(rawMessage, extra);
    const now = Date.now();
    const key = level + " " + message;
    const seen = recent.get(key);
    if (seen && now - seen.at < dedupeWindowMs && sender.has(seen.entry)) {
      seen.entry.context = { ...seen.entry.context, repeat_count: Number(seen.entry.context?.repeat_count ?? 1) + 1 };
      return;
    }
    if (now - windowStart >= 60_000) {
      windowStart = now;
      windowCount = 0;
    }
    if (++windowCount > maxPerMinute) return sender.drop("rate_limit");
    const entry: WireEntry = {
      id: `${idPrefix}-${(seq++).toString(36)}`,
      trace_id: traceId,
      system: "browser",
      level,
      message,
      timestamp: now,
    };
    if (stack) entry.stack = redactString(stack, extra);
    if (context) entry.context = redactValue(context, extra);
    if (userId) entry.user_id = userId;
    if (options.source) entry.source = options.source;
    if (g.location) entry.url = truncate(redactString(String(g.location.href), extra), MAX_URL_CHARS);
    if (recent.size >= MAX_RECENT) recent.clear();
    recent.set(key, { entry, at: now });
    sender.push(entry);
  }

  function fromConsole(level: Level, args: unknown[]) {
    const error = args.find((a) => a instanceof Error);
    const objects: unknown[] = [];
    // Serialise each object once (getters run once); Errors stay Errors so the message reads "Name: message".
    const safeArgs = args.map((a) => {
      if (typeof a !== "object" || a === null) return a;
      const json = toJsonSafe(a) as Record<string, unknown>;
      if (a === error) delete json.stack; // already the entry's stack
      objects.push(json);
      return a === error ? a : json;
    });
    record(level, formatArgs(safeArgs), stackOf(error), objects.length ? { args: objects } : undefined);
  }

  for (const level of options.levels ?? ALL_LEVELS) {
    const original = con[level];
    if (typeof original !== "function") continue;
    const wrapper = (con[level] = (...args: unknown[]) => {
      original.apply(console, args);
      guard(() => fromConsole(level, args));
    });
    undo.push(() => con[level] === wrapper && (con[level] = original));
  }

  const onError = (event: ErrorEvent) =>
    guard(() => {
      const error: unknown = event.error;
      const message =
        error instanceof Error ? `${error.name}: ${error.message}` : error != null ? argToText(error) : event.message;
      const stack =
        stackOf(error) ?? (event.filename ? `    at ${event.filename}:${event.lineno}:${event.colno}` : undefined);
      record("error", `Uncaught ${message || "error"}`, stack, { kind: "uncaught_error" });
    });
  const onRejection = (event: PromiseRejectionEvent) =>
    guard(() => {
      const reason: unknown = event.reason;
      const context: Record<string, unknown> = { kind: "unhandled_rejection" };
      if (!(reason instanceof Error) && typeof reason === "object" && reason !== null)
        context.reason = toJsonSafe(reason);
      record("error", `Unhandled rejection: ${argToText(reason)}`, stackOf(reason), context);
    });

  // At page hide the page may be gone before a fetch completes: hand everything to sendBeacon (text/plain, no
  // preflight), falling back to a keepalive fetch. Duplicates of a batch still in flight are dropped by entry id.
  function emit(batch: Batch): void {
    const body = sender.body(batch);
    if (byteLength(body) > UNLOAD_BODY_LIMIT && batch.entries.length > 1) {
      const half = Math.ceil(batch.entries.length / 2);
      emit({ id: batch.id + "a", entries: batch.entries.slice(0, half), dropped: batch.dropped });
      emit({ id: batch.id + "b", entries: batch.entries.slice(half) });
      return;
    }
    let sent = false;
    try {
      sent = !!g.navigator?.sendBeacon?.(endpoint, body);
    } catch {
      // sendBeacon throws on some invalid URLs; fall through to fetch.
    }
    if (sent) return;
    const retry = () => sender.restore(batch);
    try {
      sender
        .post(body, true)
        .then((res) => isRetryable(res.status) && retry())
        .catch(retry);
    } catch {
      retry();
    }
  }
  const onHide = (event: Event) =>
    guard(() => {
      if (event.type === "pagehide" || g.document?.visibilityState === "hidden") sender.takeAll().forEach(emit);
    });

  if (options.captureErrors !== false) {
    on(g, "error", onError);
    on(g, "unhandledrejection", onRejection);
  }
  on(g, "pagehide", onHide);
  on(g.document, "visibilitychange", onHide);

  if (propagateTo.length && nativeFetch) {
    const patched = (g.fetch = function (input: RequestInfo | URL, init?: RequestInit) {
      try {
        const base = g.location?.href;
        const url = new URL(input instanceof Request ? input.url : String(input), base).href;
        const parent = formatTraceparent(traceId);
        if (
          active &&
          parent &&
          matches(
            url,
            propagateTo.map((p) => (typeof p === "string" ? new URL(p, base).href : p)),
          )
        ) {
          const h = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
          if (!h.has("traceparent")) {
            h.set("traceparent", parent);
            init = { ...init, headers: h };
          }
        }
      } catch {
        // Leave the request as the app made it.
      }
      return nativeFetch.call(g, input, init);
    });
    undo.push(() => g.fetch === patched && (g.fetch = nativeFetch));
  }

  const client: BrowserClient = {
    uninstall() {
      if (!active) return;
      undo.forEach((restore) => restore());
      listeners.abort();
      active = false; // wrappers someone else wrapped again stay in place but pass straight through
      void sender.flush();
      if (current === client) current = undefined;
    },
    flush: () => sender.flush(),
    getTraceId: () => traceId,
    newTrace: () => (traceId = newTraceId()),
    setTraceId(id: string) {
      if (typeof id !== "string" || !SAFE_ID.test(id)) return false;
      traceId = id;
      return true;
    },
    setUser(id: string | undefined) {
      userId = id ? String(id).slice(0, 256) : undefined;
    },
  };
  return (current = client);
}
