// The wire format of POST /log as the clients send it (the server's zod schemas in core/schema.ts are the reference).
import type { z } from "zod";
import type { EnvelopeSchema, IncomingEntrySchema } from "../../core/schema.js";

export type Level = "debug" | "log" | "info" | "warn" | "error";
export type System = "browser" | "convex" | "worker" | "manual";

/** One log entry as posted to /log. */
export interface WireEntry {
  /** Client-generated, unique per entry; the server uses it to ignore retried duplicates. */
  id: string;
  trace_id: string;
  span_id?: string;
  user_id?: string;
  system: System;
  source?: string;
  level: Level;
  message: string;
  stack?: string;
  /** Milliseconds since the epoch, sender's clock. */
  timestamp: number;
  context?: Record<string, unknown>;
  url?: string;
}

/** The request body: a batch with the sender's clock reading and what the client had to drop. */
export interface Envelope {
  sent_at: number;
  batch_id?: string;
  entries: WireEntry[];
  client_dropped?: Record<string, number>;
}

// Compile-time checks against the server's schemas (core/schema.ts): every entry and envelope the clients build is
// one the server accepts, with no field it would drop. Types only: nothing of zod reaches a client bundle.
type Assert<T extends true> = T;
type ServerEntry = z.input<typeof IncomingEntrySchema>;
type ServerEnvelope = z.input<typeof EnvelopeSchema>;
export type WireEntryIsAccepted = Assert<WireEntry extends ServerEntry ? true : false>;
export type WireEntryHasNoUnknownField = Assert<
  Exclude<keyof WireEntry, keyof ServerEntry> extends never ? true : false
>;
export type EnvelopeIsAccepted = Assert<
  Omit<Envelope, "entries"> extends Omit<ServerEnvelope, "entries"> ? true : false
>;
