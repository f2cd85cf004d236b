// Trace, span and entry ids, and the W3C `traceparent` header (https://www.w3.org/TR/trace-context/).

// The id pattern and the traceparent parser are the server's own, so clients never send an id it refuses.
export { SAFE_ID, parseTraceparent } from "../../core/ids.js";

/** `bytes` random bytes from crypto.getRandomValues (browsers, Node, Workers and Convex all have it), as hex. */
export function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new trace id: 32 hex characters, as in W3C trace context. */
export const newTraceId = (): string => randomHex(16);
/** A new span id: 16 hex characters. */
export const newSpanId = (): string => randomHex(8);

/** A `traceparent` value (sampled) for a 32-hex trace id, or undefined when the id cannot be carried in one. */
export function formatTraceparent(traceId: string, spanId: string = newSpanId()): string | undefined {
  return /^[0-9a-f]{32}$/.test(traceId) && !/^0+$/.test(traceId) ? `00-${traceId}-${spanId}-01` : undefined;
}
