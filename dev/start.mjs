#!/usr/bin/env node
// `npm run dev`: the whole system on http://127.0.0.1:8787 with no account and no configuration.
import { parseArgs } from "node:util";
import { PASS_THROUGH_VARS, startStack, watchRuntime } from "./stack.mjs";

const HELP = `Usage: npm run dev [-- [--port N] [--store auto|redis|memory] [--config FILE]]
       (same as node dev/start.mjs [options])

Starts debug-logs locally: a Redis store, a local Upstash REST endpoint in front of it, and the
Worker under wrangler dev (workerd), on http://127.0.0.1:8787 (PORT or --port overrides; 0 = any).

Store, first match wins (--store memory forces 4; --store redis takes 2 or 3, or fails):
  1. UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN set  -> that Upstash database, directly
  2. REDIS_URL set                                          -> that Redis, behind the local REST endpoint
  3. redis-server on PATH                                   -> an ephemeral one (nothing saved), behind the endpoint
  4. otherwise                                              -> the embedded in-memory store (ioredis-mock)

The Worker gets ENVIRONMENT=development, UPSTASH_REDIS_REST_URL/_TOKEN, and these when set here:
  ${PASS_THROUGH_VARS.slice(0, 6).join(", ")},
  ${PASS_THROUGH_VARS.slice(6).join(", ")}
MCP_AUTH_TOKEN and INGEST_TOKEN are generated (random, printed) when not set.
--config runs another wrangler config (default: the repository's wrangler.jsonc).
Ctrl-C stops everything it started (workerd, the endpoint, redis-server). If workerd dies, it says so, stops
the rest and exits with status 1.
`;

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    store: { type: "string", default: "auto" },
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const store = /** @type {"auto" | "redis" | "memory"} */ (values.store);
const port = Number(values.port ?? process.env.PORT ?? 8787);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port ${values.port ?? process.env.PORT}`);
  process.exit(2);
}

const stack = await startStack({ port, store, watch: true, ...(values.config ? { config: values.config } : {}) }).catch(
  (error) => {
    console.error(`npm run dev failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);

// A dead workerd leaves every request hanging or failing ("Your worker restarted mid-request"): say so and exit,
// rather than stay up and silent. The Worker's own runtime starts with its first request, so one is made before
// the processes are counted.
await fetch(`${stack.url}/health`, { signal: AbortSignal.timeout(30_000) }).catch(() => {});
const unwatch = watchRuntime((detail) => {
  console.error(
    `\nnpm run dev: the Worker runtime died (${detail}); requests to ${stack.url} would hang or fail from now on. Stopping everything; run npm run dev again.`,
  );
  // Stopping waits on the runtime that is already half gone: do not wait long.
  setTimeout(() => process.exit(1), 10_000).unref();
  stack.stop().finally(() => process.exit(1));
});

const generated = (/** @type {string} */ name) => (process.env[name] ? "" : " (generated; set it to keep it)");
console.log(`
debug-logs is running
  worker   ${stack.url}
  demo     ${stack.url}/demo
  debug    ${stack.url}/debug
  mcp      ${stack.url}/mcp
  store    ${stack.storeDescription}
  rest     ${stack.rest.url} (Upstash REST API${stack.store === "upstash" ? "" : ", local endpoint"})

MCP_AUTH_TOKEN=${stack.mcpToken}${generated("MCP_AUTH_TOKEN")}
  claude mcp add --transport http debug-logs ${stack.url}/mcp --header "Authorization: Bearer ${stack.mcpToken}"

INGEST_TOKEN=${stack.ingestToken}${generated("INGEST_TOKEN")}
  curl -X POST ${stack.url}/log -H "Authorization: Bearer ${stack.ingestToken}" -H "Content-Type: application/json" \\
    -d '{"trace_id":"demo-trace","system":"manual","level":"info","message":"hello from curl"}'

Ctrl-C to stop.
`);

let signals = 0;
const shutdown = (/** @type {string} */ signal) => {
  if (++signals > 1) process.exit(130); // a second Ctrl-C does not wait
  unwatch();
  console.log(`\n${signal}: stopping…`);
  stack.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
// Miniflare's own handlers would exit at once, before redis-server and the endpoint stop cleanly:
// this process is ours, so ours replace them (its exit hook still kills workerd as a last resort).
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  process.removeAllListeners(signal);
  process.on(signal, () => shutdown(signal));
}
