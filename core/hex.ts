// Bytes as lower-case hex, and WebCrypto digests as hex (Workers, Node, browsers and Convex all have crypto.subtle).

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The digest of `text` (UTF-8) as hex: SHA-1 for Redis script ids, SHA-256 for content-derived ids. */
export async function digestHex(algorithm: "SHA-1" | "SHA-256", text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest(algorithm, new TextEncoder().encode(text))));
}
