// The load generator: one autocannon run in a worker thread, so it does not share an event loop with the
// local Upstash REST endpoint that bench/run.mjs hosts. Bodies are built per request from a template, with a
// fresh trace id every REQUESTS_PER_TRACE requests and unique entry ids (no dedup, no per-trace limit).
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import autocannon from "autocannon";

/** Consecutive requests that share a trace: lists grow a little, as a real session's would. */
const REQUESTS_PER_TRACE = 4;
const TRACE = "@@TRACE@@";
const SEQ = "@@SEQ@@";

/**
 * @typedef {object} LoadOptions
 * @property {string} url Worker origin (loopback).
 * @property {string} path Route under test, e.g. "/log".
 * @property {number} connections Concurrent connections (one request in flight each).
 * @property {number} durationSeconds Length of the run.
 * @property {number} batch Entries per request.
 * @property {string} runId Prefix that keeps trace and entry ids unique across runs.
 * @property {Record<string, string>} headers Request headers (content type, ingest token).
 * @property {number} maxRequests Hard cap on requests sent, whatever the duration.
 * @property {number} timeoutSeconds Per-request timeout.
 */

/** One entry as a browser client would send it; a few carry context, one in 20 is an error with a stack. */
function entry(/** @type {number} */ i) {
  const base = {
    id: `${SEQ}-${i}`,
    trace_id: TRACE,
    system: "browser",
    level: i % 20 === 19 ? "error" : ["info", "log", "debug", "log", "warn"][i % 5],
    message: `render MessageList (${40 + (i % 17)} items) after messages:list resolved in ${12 + (i % 40)}ms`,
    timestamp: 1_736_942_400_000 + i * 15,
    source: i % 3 ? "ui" : "console",
    url: "http://localhost:5173/chat/room-42",
  };
  if (i % 20 === 19) {
    return {
      ...base,
      message: "TypeError: Cannot read properties of undefined (reading 'author')",
      stack:
        "TypeError: Cannot read properties of undefined (reading 'author')\n    at Row (http://localhost:5173/src/Row.tsx:17:31)\n    at renderWithHooks (http://localhost:5173/node_modules/.vite/deps/react-dom.js:11548:26)",
    };
  }
  if (i % 4 === 0) return { ...base, context: { room: "room-42", user: "user_8812", count: i, ok: true } };
  return base;
}

/** Template pieces: literals with markers between them, so each body costs a few string joins. */
function template(/** @type {number} */ batch) {
  const entries = Array.from({ length: batch }, (_, i) => entry(i));
  const text = JSON.stringify({ sent_at: 1_736_942_400_000 + batch * 15 + 20, entries });
  return text.split(/(@@TRACE@@|@@SEQ@@)/);
}

function run(/** @type {LoadOptions} */ options) {
  const pieces = template(options.batch);
  let seq = 0;
  let bytes = 0;
  const body = () => {
    const n = seq++;
    const trace = `${options.runId}-${Math.floor(n / REQUESTS_PER_TRACE)}`;
    const id = `${options.runId}-${n}`;
    let out = "";
    for (const piece of pieces) out += piece === TRACE ? trace : piece === SEQ ? id : piece;
    return out;
  };
  const sample = body();
  bytes = Buffer.byteLength(sample);
  seq = 0;

  return new Promise((resolve, reject) => {
    const settings = {
      url: options.url,
      connections: options.connections,
      pipelining: 1,
      duration: options.durationSeconds,
      maxOverallRequests: Math.max(options.maxRequests, options.connections),
      timeout: options.timeoutSeconds,
      requests: [
        {
          method: "POST",
          path: options.path,
          headers: options.headers,
          setupRequest: (request) => ({ ...request, body: body() }),
        },
      ],
    };
    const instance = autocannon(settings, (error, raw) => {
      if (error) return reject(error);
      // Off the main thread autocannon hands back raw histograms (its own multi-worker mode): aggregate them.
      const result = isMainThread ? raw : autocannon.aggregateResult([raw], settings);
      resolve({ result, bodyBytes: bytes, sent: seq });
    });
    // A run can never outlive its duration by much, whatever the server does.
    const guard = setTimeout(() => instance.stop(), (options.durationSeconds + options.timeoutSeconds + 2) * 1000);
    instance.on("done", () => clearTimeout(guard));
  });
}

if (parentPort && workerData) {
  run(workerData).then(
    ({ result, bodyBytes, sent }) => {
      const { latency, statusCodeStats } = result;
      parentPort?.postMessage({
        ok: true,
        durationSeconds: result.duration,
        sent,
        bodyBytes,
        responses: { "2xx": result["2xx"], non2xx: result.non2xx },
        statusCodes: Object.fromEntries(
          Object.entries(statusCodeStats ?? {}).map(([code, s]) => [code, Number(s.count)]),
        ),
        errors: result.errors,
        timeouts: result.timeouts,
        latencyMs: { p50: latency.p50, p90: latency.p90, p99: latency.p99, max: latency.max, mean: latency.average },
      });
    },
    (error) => parentPort?.postMessage({ ok: false, error: String(error?.stack ?? error) }),
  );
}
