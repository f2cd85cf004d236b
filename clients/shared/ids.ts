// Trace, span and entry ids, and the W3C `traceparent` header (https://www.w3.org/TR/trace-context/).

/** Characters the ingestion server accepts in ids: letters, digits and `. _ : -`, 1 to 128 of them. */
export const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `bytes` random bytes from crypto.getRandomValues (browsers, Node, Workers and Convex all have it), as hex. */
export function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new trace id: 32 hex characters, as in W3C trace context. */
export const newTraceId = (): string => randomHex(16);
/** A new span id: 16 hex characters. */
export const newSpanId = (): string => randomHex(8);

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/** Parses a `traceparent` header; undefined when absent or malformed (all-zero ids and version ff are invalid). */
export function parseTraceparent(header: string | null | undefined): { traceId: string; spanId: string } | undefined {
  const m = TRACEPARENT.exec((header ?? "").trim().toLowerCase());
  if (!m || m[1] === "ff" || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return undefined;
  // Version 00 allows nothing after the flags.
  if (m[1] === "00" && m[0].length !== 55) return undefined;
  return { traceId: m[2]!, spanId: m[3]! };
}

/** A `traceparent` value (sampled) for a 32-hex trace id, or undefined when the id cannot be carried in one. */
export function formatTraceparent(traceId: string, spanId: string = newSpanId()): string | undefined {
  return /^[0-9a-f]{32}$/.test(traceId) && !/^0+$/.test(traceId) ? `00-${traceId}-${spanId}-01` : undefined;
}
