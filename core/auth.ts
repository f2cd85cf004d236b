// Token and origin checks shared by ingestion, MCP and the JSON API. Pure: Web Crypto only.

const tokenDigests = new WeakMap<string[], Promise<Uint8Array[]>>();
/** Digests of recently presented tokens: a client sends the same one with every batch. Bounded; cleared when full. */
const presentedDigests = new Map<string, Promise<Uint8Array>>();
const PRESENTED_DIGESTS_MAX = 256;

/** Constant-time check of a presented token against any of the configured ones. */
export async function tokenMatches(presented: string | undefined, tokens: string[]): Promise<boolean> {
  if (!presented || tokens.length === 0) return false;
  let known = tokenDigests.get(tokens);
  if (!known) tokenDigests.set(tokens, (known = Promise.all(tokens.map(digest))));
  let pending = presentedDigests.get(presented);
  if (!pending) {
    if (presentedDigests.size >= PRESENTED_DIGESTS_MAX) presentedDigests.clear();
    presentedDigests.set(presented, (pending = digest(presented)));
  }
  const a = await pending;
  let ok = false;
  // Compare fixed-length digests so neither length nor content leaks through timing.
  for (const b of await known) {
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
    ok = ok || diff === 0;
  }
  return ok;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const m = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return m?.[1];
}

/** True when `origin` is allowed: exact entries, `*.example.com` wildcards, localhost in development. */
export function originAllowed(origin: string, allowed: string[], development: boolean): boolean {
  // Servers send no Origin: answer at once rather than parse an empty URL on every request.
  if (!origin) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (development && (url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]")) {
    return true;
  }
  const normalized = `${url.protocol}//${url.host}`;
  return allowed.some((rule) => {
    if (rule === "*") return true;
    const wildcard = rule.match(/^(https?:\/\/)?\*\.(.+)$/);
    if (wildcard) {
      if (wildcard[1] && `${wildcard[1]}` !== `${url.protocol}//`) return false;
      return url.hostname.endsWith(`.${wildcard[2]!.replace(/:\d+$/, "")}`);
    }
    return rule.replace(/\/+$/, "") === normalized || rule === url.host;
  });
}

async function digest(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value)));
}
