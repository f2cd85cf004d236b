// Batching and delivery to POST /log, shared by the browser and server clients: a bounded queue that drops the
// oldest entries, batches by size and time, and retries 429/5xx/network failures with backoff honouring Retry-After.
import type { Envelope, WireEntry } from "./types.js";
import { randomHex } from "./ids.js";

/** The part of `fetch` the sender needs; inject one in tests or to route through a service binding. */
export type FetchLike = (
  url: string,
  init: RequestInit,
) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  body?: { cancel(): Promise<void> } | null;
}>;

export interface SenderOptions {
  /** URL of the ingestion endpoint, e.g. "https://logs.example.com/log" (relative URLs work in browsers). */
  endpoint: string;
  fetch: FetchLike;
  /** Extra request headers (Content-Type, Authorization, X-Debug-Logs-System). */
  headers: Record<string, string>;
  /** Entries per request; a full batch is sent at once. */
  batchSize: number;
  /** Longest an entry waits before a partial batch is sent, ms. 0 sends only on a full batch or flush(). */
  flushIntervalMs: number;
  /** Most entries held while waiting or retrying; the oldest are dropped beyond it. */
  maxQueue: number;
  /** Attempts per batch, the first included, before it is given up. */
  maxAttempts: number;
  /** First retry delay, ms; doubles per attempt, with jitter. */
  baseDelayMs: number;
  /** Longest backoff between attempts, ms. */
  maxDelayMs: number;
  /** Longest wait honoured from a Retry-After header, ms. */
  maxRetryAfterMs: number;
  /** Abort a request that has not answered after this long, ms (where AbortSignal.timeout exists). */
  requestTimeoutMs?: number;
  /** Send with `keepalive` so requests survive a page unload (browsers; bodies under 60 kB). */
  keepalive?: boolean;
  /** Source of jitter, [0, 1). */
  random?: () => number;
}

export interface Batch {
  id: string;
  entries: WireEntry[];
  /** Client drop counts reported with this batch (and restored if it is never delivered). */
  dropped?: Record<string, number>;
  /** Set when someone else (a beacon at page unload) took the batch over. */
  handedOff?: boolean;
}

/** keepalive and sendBeacon share a 64 kB budget per page; stay under it. */
export const UNLOAD_BODY_LIMIT = 60_000;

export const byteLength = (s: string): number => new TextEncoder().encode(s).length;

/** Milliseconds to wait from a Retry-After header (seconds or an HTTP date); undefined when absent or invalid. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** 429, 5xx and network failures (status 0) are worth retrying; other 4xx will fail the same way again. */
export const isRetryable = (status: number): boolean => status === 0 || status === 429 || status >= 500;

export interface Sender {
  /** Entries waiting to be sent. */
  readonly size: number;
  /** Queues an entry; a full batch is sent at once, a partial one after flushIntervalMs. */
  push(entry: WireEntry): void;
  /** True while the entry is queued and not yet taken into a batch (it may still be amended). */
  has(entry: WireEntry): boolean;
  /** Counts an entry the client dropped itself (reported in the next batch's client_dropped). */
  drop(reason: string, n?: number): void;
  /** Sends everything queued; resolves once it is delivered or given up. Never rejects. */
  flush(): Promise<void>;
  /** Takes every undelivered batch (queued, or waiting to retry) off the sender, e.g. to send it with a beacon. */
  takeAll(): Batch[];
  /** Puts a batch that could not be handed off back at the front of the queue. */
  restore(batch: Batch): void;
  /** The request body for a batch, stamped with the sender's clock. */
  body(batch: Batch): string;
  /** One POST of a ready body, without retries. */
  post(body: string, keepalive?: boolean): ReturnType<FetchLike>;
  /** Stops the interval timer (entries stay queued until flush()). */
  stop(): void;
  /** Backoff before attempt `attempt + 1`, ms: exponential with equal jitter, never under Retry-After (capped). */
  delay(attempt: number, retryAfter: string | null): number;
}

// A closure rather than a class: it minifies to a fraction of the size, which matters inside the 5 kB browser budget.
export function createSender(o: SenderOptions): Sender {
  let queue: WireEntry[] = [];
  let dropped: Record<string, number> = {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let drainAll = false;
  let waiting: Batch | undefined; // the batch sleeping before its next attempt
  let seq = 0;
  const prefix = randomHex(6);
  const random = o.random ?? Math.random;

  const drop = (reason: string, n = 1) => {
    dropped[reason] = (dropped[reason] ?? 0) + n;
  };
  const merge = (counts: Record<string, number> | undefined) => {
    for (const [reason, n] of Object.entries(counts ?? {})) drop(reason, n);
  };
  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const arm = () => {
    if (timer || running || !o.flushIntervalMs || !queue.length) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run(true);
    }, o.flushIntervalMs);
    // Node: a pending flush must not keep the process alive.
    (timer as { unref?: () => void }).unref?.();
  };

  const take = (): Batch => {
    const batch: Batch = { id: `${prefix}-${(seq++).toString(36)}`, entries: queue.splice(0, o.batchSize) };
    if (Object.keys(dropped).length) {
      batch.dropped = dropped;
      dropped = {};
    }
    return batch;
  };

  const body = (batch: Batch) => {
    const envelope: Envelope = { sent_at: Date.now(), batch_id: batch.id, entries: batch.entries };
    if (batch.dropped) envelope.client_dropped = batch.dropped;
    return JSON.stringify(envelope);
  };

  const post = (text: string, keepalive = o.keepalive) => {
    const init: RequestInit = { method: "POST", headers: o.headers, body: text };
    if (keepalive && byteLength(text) < UNLOAD_BODY_LIMIT) init.keepalive = true;
    if (o.requestTimeoutMs && typeof AbortSignal !== "undefined" && AbortSignal.timeout) {
      init.signal = AbortSignal.timeout(o.requestTimeoutMs);
    }
    return o.fetch(o.endpoint, init);
  };

  const delay = (attempt: number, retryAfter: string | null) => {
    const backoff = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
    const jittered = backoff / 2 + (random() * backoff) / 2;
    const asked = parseRetryAfter(retryAfter);
    return asked === undefined
      ? jittered
      : Math.max(jittered, Math.min(asked, o.maxRetryAfterMs) * (1 + random() * 0.1));
  };

  const deliver = async (batch: Batch): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      let retryAfter: string | null = null;
      try {
        const res = await post(body(batch));
        status = res.status;
        retryAfter = res.headers.get("retry-after");
        res.body?.cancel().catch(() => {});
      } catch {
        // Network failure, CORS refusal or timeout: status 0, retried.
      }
      if (batch.handedOff || (status >= 200 && status < 300)) return;
      if (status === 413 && batch.entries.length > 1) {
        const half = Math.ceil(batch.entries.length / 2);
        await deliver({ id: batch.id + "a", entries: batch.entries.slice(0, half), dropped: batch.dropped });
        return deliver({ id: batch.id + "b", entries: batch.entries.slice(half) });
      }
      if (!isRetryable(status) || attempt >= o.maxAttempts) {
        merge(batch.dropped);
        return drop(isRetryable(status) ? "undeliverable" : `rejected_${status}`, batch.entries.length);
      }
      waiting = batch;
      await new Promise((resolve) => setTimeout(resolve, delay(attempt, retryAfter)));
      if (waiting === batch) waiting = undefined;
      if (batch.handedOff) return;
    }
  };

  // One loop at a time, so batches go out in order and a down endpoint is not hammered by parallel retries.
  const run = (all: boolean): Promise<void> => {
    if (all) drainAll = true;
    stop();
    return (running ??= (async () => {
      try {
        while (queue.length && (drainAll || queue.length >= o.batchSize)) await deliver(take());
      } catch {
        // deliver() does not throw; a last guard so logging never becomes an unhandled rejection.
      } finally {
        drainAll = false;
        running = undefined;
        arm();
      }
    })());
  };

  return {
    get size() {
      return queue.length;
    },
    push(entry) {
      if (queue.length >= o.maxQueue) {
        queue.shift();
        drop("queue_full");
      }
      queue.push(entry);
      if (queue.length >= o.batchSize) void run(false);
      else arm();
    },
    has: (entry) => queue.includes(entry),
    drop,
    flush: () => run(true),
    takeAll() {
      const out: Batch[] = [];
      if (waiting) {
        waiting.handedOff = true;
        out.push(waiting);
        waiting = undefined;
      }
      while (queue.length) out.push(take());
      return out;
    },
    restore(batch) {
      queue = [...batch.entries, ...queue];
      merge(batch.dropped);
      arm();
    },
    body,
    post,
    stop,
    delay,
  };
}
