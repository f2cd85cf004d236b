// The one Worker: ingestion, the MCP server, the JSON API and the debug page share one origin.
import { Hono } from "hono";
import { servicesFor } from "./core/services.js";
import { apiApp } from "./debug-page/api.js";
import { ingestApp, type Bindings } from "./ingest-worker/app.js";
import { convexLogStreamApp } from "./ingest-worker/convex-log-stream.js";
import { errorResponse } from "./ingest-worker/errors.js";
import { otlpApp } from "./ingest-worker/otlp.js";
import { handleTail } from "./ingest-worker/tail.js";
import { mcpApp } from "./mcp-server/app.js";

const app = new Hono<{ Bindings: Bindings }>();

app.get("/health", async (c) => {
  const store = await servicesFor(c.env)
    .store()
    .ping()
    .catch(() => false);
  return c.json({ ok: store, store: store ? "reachable" : "unreachable" }, store ? 200 : 503);
});

app.route("/", ingestApp);
app.route("/", otlpApp);
app.route("/", convexLogStreamApp);
app.route("/", mcpApp);
app.route("/api", apiApp);

app.notFound((c) => c.json({ error: `No route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
app.onError((error, c) => errorResponse(error, c));

export default {
  fetch: app.fetch,
  // Any Worker that lists this one in its tail_consumers: its console calls, exceptions and outcomes.
  tail: (events: unknown[], env: Bindings) => handleTail(events, env),
};
