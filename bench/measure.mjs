// One load point: an autocannon run in a worker thread against one route, then what Redis, the REST endpoint and
// /proc say it cost. Used by bench/run.mjs.
import { Worker } from "node:worker_threads";
import { cpuSnapshot, stackProcesses } from "./cpu.mjs";
import { commandStatsDelta } from "./probe.mjs";

export const KEY_PREFIX = "bench:";
/** Route, and where its writes land (for counting stored logs), per target. */
export const TARGETS = {
  ingest: { path: "/log", lists: `${KEY_PREFIX}logs:*`, beside: [":meta", ":ids", ":notable"] },
  bare: { path: "/bench/bare" },
  one_command: { path: "/bench/one-command", counter: `${KEY_PREFIX}one-command` },
  naive: { path: "/bench/naive", lists: `${KEY_PREFIX}naive:*`, beside: [] },
  naive_parallel: { path: "/bench/naive-parallel", lists: `${KEY_PREFIX}naive:*`, beside: [] },
  // Diagnostic: /log's Worker code without the store (see bench/worker.ts).
  no_store: { path: "/bench/no-store" },
};
/** Upstash pay-as-you-go: $0.2 per 100K commands. */
const USD_PER_COMMAND = 0.2 / 100_000;
/** No single run may send more than this, whatever the speed. */
const MAX_REQUESTS_PER_RUN = 2_000_000;
/** Load threads still running, so a signal can stop them. */
export const loadThreads = new Set();

/** One autocannon run in a worker thread (see load.mjs). */
export function load(/** @type {import("./load.mjs").LoadOptions} */ options) {
  return new Promise((resolve, reject) => {
    const thread = new Worker(new URL("./load.mjs", import.meta.url), { workerData: options });
    loadThreads.add(thread);
    const guard = setTimeout(() => thread.terminate(), (options.durationSeconds + options.timeoutSeconds + 15) * 1000);
    thread.once("message", (message) => {
      if (message.ok) resolve(message);
      else reject(new Error(message.error));
      thread.terminate();
    });
    thread.once("error", reject);
    thread.once("exit", (code) => {
      clearTimeout(guard);
      loadThreads.delete(thread);
      reject(new Error(`load thread exited (${code}) without a result`));
    });
  });
}

/**
 * Waits until the endpoint has seen no request for `idleMs`: requests the load generator abandoned at the end of
 * its window have finished their writes (the Worker completes them), so none leaks into the next point. The naive
 * routes run hundreds of sequential commands per request and were seen to pause for more than 300 ms in the middle,
 * so they get a longer wait. At most 30 s.
 * @returns {Promise<boolean>} false when the endpoint was still busy at the deadline
 */
export async function quiesce(/** @type {{ commands: number, requests: number }} */ stats, idleMs = 300) {
  let last = -1;
  let still = 0;
  const deadline = Date.now() + 30_000;
  while (still * 100 < idleMs) {
    if (Date.now() > deadline) return false;
    const now = stats.commands + stats.requests;
    still = now === last ? still + 1 : 0;
    last = now;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** What every run of `target` sends; durationSeconds and runId are added per run. */
export function loadOptions(stack, /** @type {keyof typeof TARGETS} */ target, concurrency, batch) {
  return {
    url: stack.url,
    path: TARGETS[target].path,
    connections: concurrency,
    batch,
    headers: { "content-type": "application/json", authorization: `Bearer ${stack.ingestToken}` },
    maxRequests: MAX_REQUESTS_PER_RUN,
    timeoutSeconds: 10,
  };
}

/**
 * Measures one target at one (concurrency, batch): clean database, load, then Redis-side truth. Every route was
 * warmed up once at the start (JIT, script cache, connection pools); points start from a quiet stack.
 * @param {any} stack @param {Awaited<ReturnType<typeof import("./probe.mjs").openProbe>>} probe
 */
export async function measure(
  stack,
  probe,
  /** @type {keyof typeof TARGETS} */ target,
  concurrency,
  batch,
  round,
  /** @type {{ seconds: number, runId: string }} */ options,
) {
  const spec = TARGETS[target];
  const common = loadOptions(stack, target, concurrency, batch);
  await probe.flush();
  const memoryBefore = await probe.usedMemory();
  const statsBefore = await probe.commandStats();
  stack.rest.stats.reset();
  // Looked up per point: wrangler restarts the Worker's workerd when its sources change under it.
  const pids = stackProcesses(stack.url);
  const cpuBefore = cpuSnapshot(pids);

  const run = await load({
    ...common,
    durationSeconds: options.seconds,
    runId: `${options.runId}${target}${concurrency}x${batch}r${round}`,
  });
  const drained = await quiesce(stack.rest.stats, target.startsWith("naive") ? 1500 : 300);
  if (!drained) console.error(`[bench] ${target} c=${concurrency} b=${batch}: still busy 30 s after the load stopped`);
  const cpuAfter = cpuSnapshot(pids);
  const workerRestarted = stackProcesses(stack.url).worker !== pids.worker;

  const rest = {
    commands: stack.rest.stats.commands,
    http_requests: stack.rest.stats.requests,
    by_command: { ...stack.rest.stats.byCommand },
  };
  const cmd = commandStatsDelta(statsBefore, await probe.commandStats(), rest.by_command);
  const memoryAfter = await probe.usedMemory();
  const ok = run.responses["2xx"];
  /** Requests whose write reached Redis, and the logs they stored (Redis-side truth, in-flight ones included). */
  let written = NaN;
  let stored = NaN;
  let bytes = null;
  if (spec.lists) {
    const lists = await probe.countLists(spec.lists);
    stored = lists.logs;
    written = stored / batch;
    bytes = {
      used_memory_per_log: stored ? (memoryAfter - memoryBefore) / stored : NaN,
      ...(await probe.sampleBytes(lists.sample, spec.beside)),
    };
  } else if (spec.counter) {
    written = await probe.integer(spec.counter);
  }
  const commandsPerRequest = spec.lists || spec.counter ? rest.commands / written : 0;
  const point = {
    target,
    route: spec.path,
    concurrency,
    batch,
    round,
    duration_s: run.durationSeconds,
    body_bytes: run.bodyBytes,
    requests_sent: run.sent,
    responses_2xx: ok,
    non_2xx: run.responses.non2xx,
    status_codes: run.statusCodes,
    errors: run.errors,
    timeouts: run.timeouts,
    requests_per_sec: ok / run.durationSeconds,
    logs_per_sec: (ok * batch) / run.durationSeconds,
    latency_ms: run.latencyMs,
    worker_pid: pids.worker ?? null,
    /** The Worker was reloaded during this point (sources changed): its figures mix two builds. */
    worker_restarted: workerRestarted,
    /** CPU time per request sent, by process: robust to other load on the machine, unlike requests/s. */
    cpu_us_per_request: Object.fromEntries(
      Object.keys(cpuAfter).map((k) => [k, ((cpuAfter[k] - cpuBefore[k]) * 1000) / run.sent]),
    ),
    redis: {
      commands: rest.commands,
      by_command: rest.by_command,
      rest_http_requests: rest.http_requests,
      requests_written: written,
      logs_stored: spec.lists ? stored : null,
      commands_per_request: commandsPerRequest,
      commands_per_log: commandsPerRequest / batch,
      upstash_usd_per_million_logs: (commandsPerRequest / batch) * 1e6 * USD_PER_COMMAND,
      commandstats: {
        top_level: cmd.topLevel,
        script_runs: cmd.scriptRuns,
        inside_scripts: cmd.insideScripts,
        inside_scripts_per_log: spec.lists ? cmd.insideScripts / stored : null,
        housekeeping: cmd.housekeeping,
        agrees_with_endpoint: cmd.topLevel === rest.commands,
        /** Time Redis itself spent on this target's top-level commands (scripts with their inner calls), per request. */
        redis_usec_per_request: cmd.commandUsec / written,
        delta: cmd.delta,
      },
      bytes,
    },
  };
  const r = point.redis;
  console.log(
    `[bench] ${target.padEnd(14)} c=${String(concurrency).padStart(2)} b=${String(batch).padStart(3)} r${round}: ${point.logs_per_sec.toFixed(0).padStart(6)} logs/s, ${point.requests_per_sec.toFixed(0).padStart(5)} req/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, Worker ${point.cpu_us_per_request.worker.toFixed(0)} µs/req, non-2xx ${point.non_2xx}, errors ${point.errors}, ${Number.isFinite(r.commands_per_request) ? r.commands_per_request.toFixed(3) : "-"} cmd/req`,
  );
  return point;
}
