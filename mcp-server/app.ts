// /mcp: the remote MCP server over streamable HTTP (stateless), behind a bearer token.
import { Hono } from "hono";
import { createMcpHandler } from "agents/mcp/server";
import { servicesFor, type Services } from "../core/services.js";
import { requireToken } from "./auth.js";
import { createServer } from "./server.js";

type Bindings = Record<string, unknown>;
type Handler = ReturnType<typeof createMcpHandler>;

const handlers = new WeakMap<Services, Handler>();

export const mcpApp = new Hono<{ Bindings: Bindings }>();

mcpApp.all("/sse", (c) => sseGone(c.req.url));
mcpApp.all("/sse/*", (c) => sseGone(c.req.url));

mcpApp.all("/mcp", async (c) => {
  const services = servicesFor(c.env);
  // CORS preflight carries no credentials; the SDK handler answers it.
  if (c.req.method !== "OPTIONS") await requireToken(c.req.header("authorization"), services.config.mcpTokens);
  let handler = handlers.get(services);
  if (!handler) {
    handler = createMcpHandler(() => createServer(services), { route: "/mcp" });
    handlers.set(services, handler);
  }
  return handler(c.req.raw, c.env, c.executionCtx as never);
});

function sseGone(url: string): Response {
  const mcp = new URL("/mcp", url).href;
  return Response.json(
    { error: `The SSE transport is not served. Connect with streamable HTTP at ${mcp}` },
    { status: 410 },
  );
}
