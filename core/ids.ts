// Ids and the W3C `traceparent` header, shared by the server's schemas and the clients (no dependencies), so both
// sides accept exactly the same ids. https://www.w3.org/TR/trace-context/

/**
 * Ids that become part of Redis keys and of the REST API's URL path: 1 to 128 letters, digits and `. _ : -`, and
 * never `.` or `..` alone (a URL path would resolve them as directory steps and shift every later argument).
 */
export const SAFE_ID = /^(?!\.\.?$)[A-Za-z0-9._:-]{1,128}$/;

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/**
 * Parses a `traceparent` header; undefined when absent or malformed (all-zero ids and version ff are invalid).
 * Version 00 allows nothing after the flags; later versions may append fields, which are ignored as the spec asks.
 */
export function parseTraceparent(header: string | null | undefined): { traceId: string; spanId: string } | undefined {
  const m = TRACEPARENT.exec((header ?? "").trim().toLowerCase());
  if (!m || m[1] === "ff" || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return undefined;
  if (m[1] === "00" && m[0].length !== 55) return undefined;
  return { traceId: m[2]!, spanId: m[3]! };
}
