// FNV-1a 64 in plain 32-bit arithmetic: fast enough to fingerprint every error of a 50k-entry trace
// (BigInt costs an allocation per character) and identical in Node, workerd and Convex.

const TWO_32 = 4294967296;

/**
 * FNV-1a 64 of the string's UTF-16 code units (the bytes, for ASCII), as 16 hex digits.
 * Multiplying by the prime 2^40 + 0x1b3 is done as `h * 0x1b3 + (h << 40)` on two 32-bit halves.
 */
export function fnv1a64(text: string): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    const low = lo * 0x1b3; // < 2^41: exact in a double
    const carry = Math.floor(low / TWO_32);
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) % TWO_32;
    lo = low % TWO_32;
  }
  return hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");
}

/** A short id for grouping: the first 12 hex digits (48 bits) of FNV-1a 64. */
export function shortHash(text: string): string {
  return fnv1a64(text).slice(0, 12);
}
