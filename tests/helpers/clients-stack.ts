// The local stack for the client end-to-end tests, and reading a trace back from the store the Worker writes to.
import { randomBytes } from "node:crypto";
import { startStack } from "../../dev/stack.mjs";
import { restCommand } from "./backends.js";
import { readRawList } from "./raw-list.js";

export interface ClientStack {
  url: string;
  ingestToken: string;
  keyPrefix: string;
  rest: { url: string; token: string };
  stop(): Promise<void>;
}

/** A stored entry, as the Worker writes it to `logs:<trace_id>`. */
export interface StoredEntry {
  id: string;
  trace_id: string;
  span_id?: string;
  user_id?: string;
  system: string;
  source?: string;
  level: string;
  message: string;
  stack?: string;
  timestamp: number;
  received_at: number;
  clock_offset_ms?: number;
  context?: Record<string, unknown>;
  url?: string;
}

/** Starts Redis + the Worker (whose wrangler build step builds the demo and client bundle) with limits high enough that the tests never hit them, under a random key prefix. */
export async function startClientStack(env: Record<string, string> = {}): Promise<ClientStack> {
  const keyPrefix = `e2e-clients-${randomBytes(4).toString("hex")}:`;
  const stack = await startStack({
    port: 0,
    quiet: true,
    env: {
      KEY_PREFIX: keyPrefix,
      RATE_LIMIT_GLOBAL_PER_HOUR: "1000000",
      RATE_LIMIT_PER_TRACE_PER_HOUR: "100000",
      ...env,
    },
  });
  return { url: stack.url, ingestToken: stack.ingestToken, keyPrefix, rest: stack.rest, stop: stack.stop };
}

/** Every stored entry of a trace, oldest first. */
export async function readTrace(stack: ClientStack, traceId: string): Promise<StoredEntry[]> {
  return (await readRawList<StoredEntry>(restCommand(stack.rest.url, stack.rest.token), stack.keyPrefix, traceId))
    .entries;
}

/** Polls the trace until `done` holds (or fails with what was stored after `timeoutMs`). */
export async function waitForTrace(
  stack: ClientStack,
  traceId: string,
  done: (entries: StoredEntry[]) => boolean,
  timeoutMs = 10_000,
): Promise<StoredEntry[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = await readTrace(stack, traceId);
    if (done(entries)) return entries;
    if (Date.now() > deadline) {
      throw new Error(
        `trace ${traceId} not complete after ${timeoutMs} ms; stored: ${JSON.stringify(entries.map((e) => e.message))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
