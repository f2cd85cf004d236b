// POST /log: authenticate (origin allowlist or ingest token), read the body, ingest, answer 202.
import { Hono, type MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { bearerToken, originAllowed, tokenMatches } from "../core/auth.js";
import { detectSystem } from "../core/detect-system.js";
import { AuthError } from "../core/errors.js";
import { joinConvexRequests } from "../core/convex/ingest.js";
import { ingestBatch } from "../core/ingest.js";
import { parseTraceparent } from "../core/normalize.js";
import { servicesFor } from "../core/services.js";
import { readJsonText } from "./body.js";

export type Bindings = Record<string, unknown>;

export const ingestApp = new Hono<{ Bindings: Bindings }>();

const corsHeaders = cors({
  origin: (origin, c) => {
    const { config } = servicesFor(c.env);
    return originAllowed(origin, config.allowedOrigins, config.development) ? origin : null;
  },
  allowMethods: ["POST", "OPTIONS"],
  allowHeaders: ["Content-Type", "Content-Encoding", "Authorization", "traceparent", "X-Debug-Logs-System"],
  exposeHeaders: ["Retry-After"],
  maxAge: 86400,
});
// CORS is for browsers, which always send Origin; servers' batches skip the middleware and its headers.
export const browserCors: MiddlewareHandler = (c, next) => (c.req.header("origin") ? corsHeaders(c, next) : next());
ingestApp.use("/log", browserCors);

ingestApp.post("/log", async (c) => {
  const { config, store, convexIndex } = servicesFor(c.env);
  const admittedBy = await authorize(c.req.raw, config);
  const receivedAt = Date.now();
  // Development takes curl's default form type as JSON: `curl -X POST localhost:8787/log -d '{...}'` works as written.
  const body = await readJsonText(c.req.raw, config.maxBodyBytes, { formAsJson: config.development });
  const traceparent = parseTraceparent(c.req.header("traceparent"));
  const result = await ingestBatch(store(), body.value, {
    receivedAt,
    defaultSystem: detectSystem((name) => c.req.header(name)),
    // Any page on an allowed origin can post: only token holders may write (and spend the quota of) other systems.
    ...(admittedBy === "origin" ? { forcedSystem: "browser" as const } : {}),
    redactPatterns: config.redactPatterns,
    rawBody: body.text,
    ...(traceparent ? { traceparent } : {}),
  });
  // Convex request ids named by these entries ("[Request ID: ...]") pull that request's log-stream events in.
  await joinConvexRequests(store(), convexIndex(), result.entries);
  return c.json(
    {
      accepted: result.accepted,
      duplicates: result.duplicates,
      dropped: result.dropped,
      ...(result.problems.length ? { details: result.problems } : {}),
    },
    202,
  );
});

/**
 * Admits a token holder, a page on an allowed origin, or (development only) a loopback request with no Origin,
 * and says which. The local loopback is trusted as a token holder is (it may name any system).
 */
export async function authorize(
  request: Request,
  config: ReturnType<typeof servicesFor>["config"],
): Promise<"token" | "origin" | "loopback"> {
  const token = bearerToken(request.headers.get("authorization"));
  if (token) {
    if (await tokenMatches(token, config.ingestTokens)) return "token";
    throw new AuthError("The ingest token is not valid (Authorization: Bearer <INGEST_TOKEN>)", 403);
  }
  const origin = request.headers.get("origin");
  if (origin) {
    if (originAllowed(origin, config.allowedOrigins, config.development)) return "origin";
    throw new AuthError(`Origin ${origin} is not in ALLOWED_ORIGINS`, 403);
  }
  if (config.development && fromLoopback(request)) return "loopback";
  throw new AuthError(
    "No credentials: servers send Authorization: Bearer <INGEST_TOKEN>, browsers need an allowed Origin",
    403,
  );
}

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]", "::1"];
/** Addressed to this machine and, where the runtime says who connected (CF-Connecting-IP), sent from it. */
function fromLoopback(request: Request): boolean {
  const client = request.headers.get("cf-connecting-ip");
  const clientIsLocal = !client || client.startsWith("127.") || client === "::1";
  return clientIsLocal && LOOPBACK.includes(new URL(request.url).hostname);
}
