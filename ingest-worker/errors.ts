// The Worker's single catch point (Hono's onError): the shared mapping in core/http-errors.ts, as a response.
import type { Context } from "hono";
import { httpError } from "../core/http-errors.js";

export function errorResponse(error: unknown, c: Context): Response {
  const answer = httpError(error, c.req.method === "POST");
  if (answer.unexpected) console.error(answer.status === 500 ? "unexpected error:" : "configuration error:", error);
  for (const [name, value] of Object.entries(answer.headers)) c.header(name, value);
  return c.json(answer.body, answer.status);
}
