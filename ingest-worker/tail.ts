// The Worker's tail() handler: a producer Worker's trace items through the same ingest path as POST /log,
// in one ingestBatch call (so one Redis command per trace per tail call).
import { InputError, RateLimitError, StoreUnavailableError } from "../core/errors.js";
import { ingestBatch, type IngestResult } from "../core/ingest.js";
import { servicesFor } from "../core/services.js";
import { mapTailEvents } from "../core/tail.js";
import type { Bindings } from "./app.js";

/** Stores what the events hold; never throws (the runtime has no one to report a tail() failure to). */
export async function handleTail(events: readonly unknown[], env: Bindings): Promise<IngestResult | undefined> {
  const { config, store } = servicesFor(env);
  const { entries } = mapTailEvents(events);
  if (entries.length === 0) return undefined;
  try {
    return await ingestBatch(store(), entries, {
      receivedAt: Date.now(),
      defaultSystem: "worker",
      redactPatterns: config.redactPatterns,
    });
  } catch (error) {
    // Expected refusals (invalid items, rate limits, store down) are not failures of this Worker.
    if (error instanceof InputError || error instanceof StoreUnavailableError || error instanceof RateLimitError) {
      console.warn(`tail: ${entries.length} entries not stored: ${(error as Error).message}`);
      return undefined;
    }
    console.error("tail: unexpected error", error);
    return undefined;
  }
}
