// The wire format of POST /log as the clients send it (the server's zod schemas in core/schema.ts are the reference).

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
