// Starts the whole system locally (a Redis store behind the Upstash REST endpoint, and the Worker
// in workerd) with no account: shared by `npm run dev`, end-to-end tests and benchmarks.
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { findRedisServer, startRedisServer } from "./redis-server.mjs";
import { startUpstashRest } from "./upstash-rest.mjs";

/** Worker settings passed through from the launcher's environment when set there. */
export const PASS_THROUGH_VARS = [
  "LOG_TTL_SECONDS",
  "PIN_MAX_SECONDS",
  "RATE_LIMIT_GLOBAL_PER_HOUR",
  "RATE_LIMIT_PER_TRACE_PER_HOUR",
  "RATE_LIMIT_SYSTEM_SHARES",
  "MAX_BODY_BYTES",
  "ALLOWED_ORIGINS",
  "INGEST_TOKEN",
  "MCP_AUTH_TOKEN",
  "REDACT_PATTERNS",
  "KEY_PREFIX",
  "CONVEX_LOG_STREAM_SECRET",
];
const DEFAULT_CONFIG = fileURLToPath(new URL("../wrangler.jsonc", import.meta.url));
/** The example producer Worker that lists debug-logs in its tail_consumers. */
export const TAIL_PRODUCER_CONFIG = fileURLToPath(new URL("./tail-producer/wrangler.jsonc", import.meta.url));
const WORKER_READY_TIMEOUT_MS = 120_000;

/**
 * @typedef {object} StackOptions
 * @property {number} [port] Worker port on 127.0.0.1; 0 (default) picks a free one.
 * @property {Record<string, string>} [env] Extra Worker vars; they win over everything else.
 * @property {"auto" | "redis" | "memory"} [store] "auto" (default): Upstash if UPSTASH_REDIS_REST_URL
 *   and _TOKEN are set, else REDIS_URL, else an ephemeral redis-server if on PATH, else memory.
 *   "redis": REDIS_URL or an ephemeral redis-server (error if neither). "memory": the embedded store.
 * @property {boolean} [quiet] Print nothing but errors (tests). Default false.
 * @property {boolean} [watch] Rebuild and reload the Worker when its sources change. Default false.
 * @property {string} [config] Wrangler config file. Default: the repository's wrangler.jsonc.
 * @property {NodeJS.ProcessEnv} [processEnv] Where store settings and pass-through vars are read. Default process.env.
 * @property {boolean} [tailProducer] Also run the example producer Worker (dev/tail-producer) on port + 1 (a free
 *   port when port is 0), attached to this one with tail_consumers through a dev registry of this stack's own.
 *   Default false.
 */

/**
 * @typedef {object} Stack
 * @property {string} url The Worker, e.g. http://127.0.0.1:8787 (no trailing slash).
 * @property {"upstash" | "redis" | "memory"} store
 * @property {string} storeDescription e.g. "ephemeral redis-server at redis://127.0.0.1:40123"
 * @property {string} [redisUrl] The Redis behind the endpoint, when there is one.
 * @property {{ url: string, token: string, stats: import("./upstash-rest.mjs").RestStats | null }} rest
 *   What the Worker uses as UPSTASH_REDIS_REST_URL / _TOKEN; stats is null when that is real Upstash.
 * @property {string} mcpToken MCP_AUTH_TOKEN given to the Worker.
 * @property {string} ingestToken INGEST_TOKEN given to the Worker.
 * @property {Record<string, string>} vars Every var passed to the Worker.
 * @property {string} [producerUrl] The example producer Worker, when tailProducer was set.
 * @property {() => Promise<void>} stop Stops the Worker, the endpoint and any redis-server started; idempotent.
 */

/** @param {StackOptions} [options] @returns {Promise<Stack>} */
export async function startStack(options = {}) {
  const {
    port = 0,
    env = {},
    store = "auto",
    quiet = false,
    watch = false,
    config = DEFAULT_CONFIG,
    processEnv = process.env,
    tailProducer = false,
  } = options;
  const log = quiet ? () => {} : (/** @type {string} */ line) => console.log(line);
  process.env.WRANGLER_SEND_METRICS ??= "false";
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

  /** @type {(() => Promise<void>)[]} */
  const cleanups = [];
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      for (const cleanup of cleanups.reverse())
        await cleanup().catch((error) => console.error(`[dev] stop: ${error.message}`));
    })());

  try {
    // workerd dies on a taken port while wrangler keeps waiting for it: check first.
    if (port !== 0) await assertPortFree(port);
    const backend = await openStore(store, processEnv, cleanups, log);
    const vars = {
      ENVIRONMENT: "development",
      UPSTASH_REDIS_REST_URL: backend.rest.url,
      UPSTASH_REDIS_REST_TOKEN: backend.rest.token,
      ...pick(processEnv, PASS_THROUGH_VARS),
      ...env,
    };
    vars.MCP_AUTH_TOKEN ||= randomBytes(32).toString("hex");
    vars.INGEST_TOKEN ||= randomBytes(32).toString("hex");

    const { unstable_startWorker } = await import("wrangler");
    // Workers find each other's tail consumers through a dev registry; this stack's own, so other stacks on the
    // machine (and their debug-logs) never receive its producer's events.
    let registry;
    if (tailProducer) {
      const dir = (registry = await mkdtemp(join(tmpdir(), "debug-logs-registry-")));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
    }
    const worker = await unstable_startWorker({
      config,
      sendMetrics: false,
      // Without this, unstable_startWorker ignores nodejs_compat from the config and requests hang.
      build: { nodejsCompatMode: "v2" },
      bindings: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { type: "plain_text", value: String(v) }])),
      dev: {
        server: { hostname: "127.0.0.1", port },
        inspector: false,
        persist: false,
        watch,
        liveReload: false,
        logLevel: quiet ? "error" : "log",
        ...(registry ? { registry } : {}),
      },
    });
    cleanups.push(() => worker.dispose());
    await withTimeout(
      worker.ready,
      WORKER_READY_TIMEOUT_MS,
      `the Worker did not start within ${WORKER_READY_TIMEOUT_MS / 1000} s`,
    );
    const url = (await worker.url).origin;
    let producerUrl;
    if (registry) {
      // Beside the Worker's port (8788 under npm run dev); any free one when the Worker's was picked freely.
      const producerPort = port === 0 ? 0 : port + 1;
      if (producerPort !== 0) await assertPortFree(producerPort);
      const producer = await unstable_startWorker({
        config: TAIL_PRODUCER_CONFIG,
        sendMetrics: false,
        dev: {
          server: { hostname: "127.0.0.1", port: producerPort },
          inspector: false,
          persist: false,
          watch: false,
          liveReload: false,
          logLevel: quiet ? "error" : "log",
          registry,
        },
      });
      cleanups.push(() => producer.dispose());
      await withTimeout(producer.ready, WORKER_READY_TIMEOUT_MS, "the example producer Worker did not start");
      producerUrl = (await producer.url).origin;
    }
    return {
      url,
      store: backend.kind,
      storeDescription: backend.description,
      ...(backend.redisUrl ? { redisUrl: backend.redisUrl } : {}),
      rest: backend.rest,
      mcpToken: vars.MCP_AUTH_TOKEN,
      ingestToken: vars.INGEST_TOKEN,
      vars,
      ...(producerUrl ? { producerUrl } : {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Picks the store and starts what it needs (redis-server, REST endpoint), registering their cleanup.
 * @param {"auto" | "redis" | "memory"} store
 * @param {NodeJS.ProcessEnv} processEnv
 * @param {(() => Promise<void>)[]} cleanups
 * @param {(line: string) => void} log
 */
async function openStore(store, processEnv, cleanups, log) {
  const {
    UPSTASH_REDIS_REST_URL: upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: upstashToken,
    REDIS_URL: redisUrl,
  } = processEnv;
  if (!["auto", "redis", "memory"].includes(store))
    throw new Error(`store must be "auto", "redis" or "memory", not ${JSON.stringify(store)}`);
  if (store === "auto" && upstashUrl && upstashToken) {
    log(`store: Upstash at ${upstashUrl} (UPSTASH_REDIS_REST_URL is set)`);
    return {
      kind: /** @type {const} */ ("upstash"),
      description: `Upstash at ${upstashUrl}`,
      rest: { url: upstashUrl, token: upstashToken, stats: null },
    };
  }

  /** @type {{ type: "redis", url: string } | { type: "memory" }} */
  let backend = { type: "memory" };
  let description = "embedded in-memory store (ioredis-mock; data is lost on exit)";
  if (store !== "memory" && redisUrl) {
    backend = { type: "redis", url: redisUrl };
    description = `Redis at ${redisUrl} (REDIS_URL is set)`;
  } else if (store !== "memory" && findRedisServer()) {
    const server = await startRedisServer({ port: 0 });
    cleanups.push(server.stop);
    backend = { type: "redis", url: server.url };
    description = `ephemeral redis-server at ${server.url} (nothing is saved)`;
  } else if (store === "redis") {
    throw new Error('store "redis" needs REDIS_URL or redis-server on PATH');
  }
  const rest = await startUpstashRest({ backend });
  cleanups.push(() => rest.close());
  log(`store: ${description}, behind the local Upstash REST endpoint ${rest.url}`);
  return {
    kind: backend.type,
    description,
    ...(backend.type === "redis" ? { redisUrl: backend.url } : {}),
    rest: { url: rest.url, token: rest.token, stats: rest.stats },
  };
}

function assertPortFree(/** @type {number} */ port) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (/** @type {NodeJS.ErrnoException} */ error) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `port ${port} is already in use on 127.0.0.1 (choose another with PORT=..., or 0 for any free port)`,
            )
          : error,
      ),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(undefined)));
  });
}

/** @template T @param {Promise<T>} promise @param {number} ms @param {string} message @returns {Promise<T>} */
function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function pick(/** @type {NodeJS.ProcessEnv} */ source, /** @type {string[]} */ names) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const name of names) if (source[name] !== undefined && source[name] !== "") out[name] = String(source[name]);
  return out;
}

/** How often the runtime's processes are looked for, ms. */
const RUNTIME_POLL_MS = 2_000;
/** Polls in a row that must miss a runtime process before it counts as dead (a reload restarts it). */
const RUNTIME_MISSES = 3;

/**
 * Watches the workerd processes this process started (wrangler runs two: its proxy and the Worker). When one of
 * them is gone for RUNTIME_MISSES polls in a row, calls `onDead` once: every request would otherwise hang or get
 * "Your worker restarted mid-request" while the launcher stays up, silent. Returns a function that stops watching.
 * @param {(detail: string) => void} onDead
 */
export function watchRuntime(onDead) {
  // The baseline is read now, while the stack is known to be up: a runtime that dies before the first poll counts.
  let expected = countRuntimes(execFileSync("ps", PS_ARGS, { encoding: "utf8" }));
  let misses = 0;
  let stopped = false;
  const timer = setInterval(async () => {
    const count = await runtimeProcesses().catch(() => -1);
    if (stopped || count < 0) return;
    if (expected < 0 || count >= expected) {
      expected = Math.max(expected, count);
      misses = 0;
      return;
    }
    if (++misses < RUNTIME_MISSES) return;
    stopped = true;
    clearInterval(timer);
    onDead(`${expected - count} of the ${expected} workerd processes it started exited`);
  }, RUNTIME_POLL_MS);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

const PS_ARGS = ["-A", "-o", "ppid=,comm="];

/** Child processes of this one named workerd (`ps` works on Linux and macOS). */
function runtimeProcesses() {
  return new Promise((resolve, reject) =>
    execFile("ps", PS_ARGS, (error, stdout) => (error ? reject(error) : resolve(countRuntimes(stdout)))),
  );
}

function countRuntimes(/** @type {string} */ psOutput) {
  return psOutput.split("\n").filter((line) => {
    const [ppid, command = ""] = line.trim().split(/\s+/, 2);
    return Number(ppid) === process.pid && /(^|\/)workerd$/.test(command);
  }).length;
}
