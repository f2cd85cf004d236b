// The HTTP surface's single catch point: named errors become `{ error, details }` with their status.
import type { Context } from "hono";
import {
  AuthError,
  ConfigError,
  InputError,
  NotFoundError,
  RateLimitError,
  StoreUnavailableError,
} from "../core/errors.js";
import { STORE_RETRY_AFTER_SECONDS } from "../core/limits.js";

export function errorResponse(error: unknown, c: Context): Response {
  if (error instanceof InputError) {
    return c.json({ error: error.message, details: error.details }, error.status);
  }
  if (error instanceof AuthError) {
    if (error.status === 401) c.header("WWW-Authenticate", 'Bearer realm="debug-logs"');
    return c.json({ error: error.message }, error.status);
  }
  if (error instanceof NotFoundError) return c.json({ error: error.message }, 404);
  if (error instanceof RateLimitError) {
    c.header("Retry-After", String(error.retryAfterSeconds));
    return c.json({ error: error.message, retry_after_seconds: error.retryAfterSeconds }, 429);
  }
  if (error instanceof StoreUnavailableError) {
    c.header("Retry-After", String(STORE_RETRY_AFTER_SECONDS));
    const outcome = c.req.method === "POST" ? "nothing was stored, retry later" : "retry later";
    return c.json({ error: `${error.message}; ${outcome}` }, 503);
  }
  if (error instanceof ConfigError) {
    console.error("configuration error:", error.message);
    return c.json({ error: `Server misconfigured: ${error.message}` }, 503);
  }
  console.error("unexpected error:", error);
  return c.json({ error: "Internal error" }, 500);
}
