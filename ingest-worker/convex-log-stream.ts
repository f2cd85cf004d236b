// POST /convex/log-stream: Convex's webhook log stream. Verifies the body's HMAC-SHA256 signature
// (`x-webhook-signature: sha256=<hex>`, keyed with CONVEX_LOG_STREAM_SECRET) before reading it, then stores the
// events in their traces (core/convex/ingest.ts). Answers 200: Convex retries 5xx, 408 and 429 only.
import { Hono } from "hono";
import { ingestLogStream } from "../core/convex/ingest.js";
import { InputError } from "../core/errors.js";
import { servicesFor } from "../core/services.js";
import type { Bindings } from "./app.js";
import { readBytes, tooLarge } from "./body.js";

export const convexLogStreamApp = new Hono<{ Bindings: Bindings }>();

convexLogStreamApp.post("/convex/log-stream", async (c) => {
  const { config, store, convexIndex } = servicesFor(c.env);
  const secret = config.convexLogStreamSecret;
  if (!secret) {
    return c.json(
      {
        error:
          "The Convex log stream is off: set CONVEX_LOG_STREAM_SECRET to the webhook's secret (wrangler secret put)",
      },
      403,
    );
  }
  const receivedAt = Date.now();
  const body = await readRawBody(c.req.raw, config.maxBodyBytes);
  const signature = c.req.header("x-webhook-signature");
  if (!signature) return c.json({ error: "Unsigned: the x-webhook-signature header is missing" }, 401);
  if (!(await signatureValid(secret, signature, body))) {
    return c.json({ error: "Wrong signature: x-webhook-signature does not match the body and the secret" }, 401);
  }
  const text = new TextDecoder().decode(body);
  const result = await ingestLogStream(store(), convexIndex(), text, {
    receivedAt,
    redactPatterns: config.redactPatterns,
  });
  return c.json(result, 200);
});

/** Checks `sha256=<hex>` against the HMAC of the raw body; WebCrypto's verify compares in constant time. */
export async function signatureValid(secret: string, header: string, body: Uint8Array): Promise<boolean> {
  const m = /^\s*sha256=([0-9a-fA-F]{64})\s*$/.exec(header);
  if (!m) return false;
  const mac = new Uint8Array(32);
  for (let i = 0; i < 32; i++) mac[i] = parseInt(m[1]!.slice(i * 2, i * 2 + 2), 16);
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  return crypto.subtle.verify("HMAC", key, mac, body);
}

/** The raw body under the byte limit (the signature covers these exact bytes). */
async function readRawBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) throw new InputError("The request has no body: Convex sends its events as the body");
  return readBytes(request.body, maxBytes);
}
