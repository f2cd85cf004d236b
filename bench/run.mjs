#!/usr/bin/env node
// `npm run bench`: ingestion throughput, latency and Redis cost per log against baselines measured in the same
// run, analysis speed and memory, and the browser client's size. Writes bench/results/latest.{json,md}.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startStack } from "../dev/stack.mjs";
import { runAnalysis, running as analysisChildren } from "./analysis-run.mjs";
import { renderHostile, runHostile } from "./hostile-run.mjs";
import { stackProcesses } from "./cpu.mjs";
import { KEY_PREFIX, load, loadOptions, loadThreads, measure, quiesce } from "./measure.mjs";
import { openProbe } from "./probe.mjs";
import { runReadPath } from "./read-path.mjs";
import { headline, renderMarkdown } from "./report.mjs";

const HELP = `Usage: npm run bench [-- --quick] [-- --duration S] [-- --skip-load] [-- --skip-analysis]
                 [-- --skip-read-path] [-- --read-path-only] [-- --read-sizes 1000,10000,50000]
       npm run bench -- --hostile [--quick]

Starts the Worker (bench/wrangler.jsonc: the real app plus /bench/* baselines) on its own redis-server behind
the local Upstash REST endpoint, loads it with autocannon on loopback, stops everything, and writes
bench/results/latest.json and latest.md (partial.json and partial.md with --skip-load or --skip-analysis, so a
partial run never replaces a whole one). Full run: about 4.5 min on 2 cores; --quick: about 2 min.
The read path (correlate_trace and get_trace through /mcp on traces of --read-sizes entries: largest Redis reply,
workerd memory) runs on a stack of its own, in a full or --quick run; --read-path-only runs just that (a partial
run), --skip-read-path leaves it out, and --skip-load leaves it out too.

--hostile runs only the hostile-input figures (no Worker, no Redis; about 1 min, --quick about 15 s): CPU per KiB
of body for benign and hostile request bodies, analysis on hostile traces, search regexes on hostile text. Writes
bench/results/hostile.json and hostile.md.
`;

const HEADLINE = { concurrency: 16, batch: 20 };
const BASE_TARGETS = ["ingest", "bare", "one_command", "naive"];

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    duration: { type: "string" },
    "skip-load": { type: "boolean", default: false },
    "skip-analysis": { type: "boolean", default: false },
    "skip-read-path": { type: "boolean", default: false },
    "read-path-only": { type: "boolean", default: false },
    "read-sizes": { type: "string", default: "1000,10000,50000" },
    hostile: { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});
if (flags.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
if (flags.hostile) {
  const figures = await runHostile({ quick: flags.quick ?? false });
  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  await mkdir(dir, { recursive: true });
  const markdown = renderHostile(figures);
  await writeFile(`${dir}hostile.json`, `${JSON.stringify({ at: new Date().toISOString(), ...figures }, null, 2)}\n`);
  await writeFile(`${dir}hostile.md`, markdown);
  console.log(markdown);
  process.exit(0);
}
const plan = flags.quick
  ? {
      concurrencies: [16],
      batches: [1, 20, 100],
      seconds: 2,
      warmupSeconds: 0.5,
      headlineRounds: 3,
      sizes: [1000, 10_000, 50_000],
      runs: (/** @type {number} */ n) => (n > 10_000 ? 3 : 5),
    }
  : {
      concurrencies: [1, 16, 64],
      batches: [1, 20, 100],
      seconds: 2,
      warmupSeconds: 1,
      headlineRounds: 8,
      sizes: [1000, 10_000, 50_000],
      runs: (/** @type {number} */ n) => (n > 10_000 ? 5 : n > 1000 ? 10 : 25),
    };
if (flags.duration) plan.seconds = Number(flags.duration);
// --skip-load stays a run of seconds: the read path stores traces through /log on a stack of its own.
if (flags["read-path-only"]) Object.assign(flags, { "skip-load": true, "skip-analysis": true });
else if (flags["skip-load"]) flags["skip-read-path"] = true;
const readSizes = flags["read-sizes"].split(",").map(Number);
if (!readSizes.every((n) => Number.isInteger(n) && n > 0 && n <= 200_000))
  throw new Error("--read-sizes takes entry counts such as 1000,10000,50000");
if (!(plan.seconds > 0 && plan.seconds <= 60)) throw new Error("--duration must be between 0 and 60 seconds");
/** The whole benchmark is stopped after this long. */
const WATCHDOG_MS = (flags.quick ? 5 : 12) * 60_000;

const log = (/** @type {string} */ line) => console.log(`[bench] ${line}`);
const runId = Date.now().toString(36);
/** @type {(() => Promise<void>)[]} */
const cleanups = [];

async function cleanup() {
  for (const thread of loadThreads) await thread.terminate();
  for (const child of analysisChildren) child.kill("SIGKILL");
  for (const fn of cleanups.splice(0).reverse())
    await fn().catch((error) => console.error(`[bench] cleanup: ${error.message}`));
}

let signalled = 0;
function onSignal(/** @type {string} */ signal) {
  if (++signalled > 1) process.exit(130);
  console.error(`\n[bench] ${signal}: stopping everything it started…`);
  cleanup().finally(() => process.exit(130));
}
const installSignalHandlers = () => {
  // Miniflare installs handlers that exit at once; ours stop redis-server and the endpoint first.
  for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM", "SIGHUP"])) {
    process.removeAllListeners(signal);
    process.on(signal, () => onSignal(signal));
  }
};
installSignalHandlers();
const watchdog = setTimeout(() => {
  console.error(`[bench] still running after ${WATCHDOG_MS / 60_000} min: giving up`);
  cleanup().finally(() => process.exit(1));
}, WATCHDOG_MS);

async function runLoad() {
  const stack = await startStack({
    port: 0,
    store: "redis",
    quiet: true,
    config: fileURLToPath(new URL("./wrangler.jsonc", import.meta.url)),
    // Only PATH: its own redis-server even when REDIS_URL or UPSTASH_* are set, and no stray pass-through vars.
    processEnv: { PATH: process.env.PATH },
    env: {
      KEY_PREFIX,
      RATE_LIMIT_GLOBAL_PER_HOUR: "1000000000",
      RATE_LIMIT_PER_TRACE_PER_HOUR: "1000000000",
    },
  });
  cleanups.push(() => stack.stop());
  installSignalHandlers();
  if (!stack.redisUrl || !stack.rest.stats)
    throw new Error(`expected a local redis-server, got ${stack.storeDescription}`);
  const probe = await openProbe(stack.redisUrl);
  cleanups.push(() => probe.close());
  log(`worker ${stack.url}; ${stack.storeDescription}`);
  const redisVersion = /^redis_version:(.+)$/m.exec(await probe.info("server"))?.[1]?.trim();

  // One warm-up per route: JIT in workerd, the script loaded into Redis, the endpoint's connection pool.
  for (const target of [...BASE_TARGETS, "naive_parallel", "no_store"]) {
    await load({
      ...loadOptions(stack, /** @type {any} */ (target), HEADLINE.concurrency, HEADLINE.batch),
      durationSeconds: plan.warmupSeconds,
      runId: `${runId}w${target}`,
    });
    await quiesce(stack.rest.stats, target.startsWith("naive") ? 1500 : 300);
  }
  // Only now: wrangler starts the Worker's own workerd after its proxy, on the first request.
  const pids = stackProcesses(stack.url);
  log(
    `workerd pids: Worker ${pids.worker ?? "?"}, wrangler dev proxy ${pids.proxy ?? "?"}; redis-server ${pids.redis ?? "?"}`,
  );
  if (!pids.worker || !pids.proxy)
    log("could not tell the two workerd processes apart: CPU figures will be incomplete");

  const points = [];
  for (const batch of plan.batches) {
    for (const concurrency of plan.concurrencies) {
      const isHeadline = batch === HEADLINE.batch && concurrency === HEADLINE.concurrency;
      const rounds = isHeadline ? plan.headlineRounds : 1;
      for (let round = 0; round < rounds; round++) {
        // Targets interleaved and rotated per round, so drift in machine load hits them alike. At the headline,
        // /log and the one-command floor (the ratio with a target) run back to back, each first in every other round.
        const targets = isHeadline
          ? ["bare", "naive", "naive_parallel", "no_store"]
          : batch === HEADLINE.batch
            ? [...BASE_TARGETS, "no_store"]
            : BASE_TARGETS;
        const rotated = targets.map((_, i) => targets[(i + round) % targets.length]);
        const order = isHeadline
          ? [...(round % 2 ? ["one_command", "ingest"] : ["ingest", "one_command"]), ...rotated]
          : rotated;
        for (const target of order)
          points.push(
            await measure(stack, probe, /** @type {any} */ (target), concurrency, batch, round, {
              seconds: plan.seconds,
              runId,
            }),
          );
      }
    }
  }
  await cleanup();
  return { points, redisVersion };
}

/** The browser client's size, as clients/browser/size.mjs measures it (bundled, minified, gzipped). */
async function clientSize() {
  const script = fileURLToPath(new URL("../clients/browser/size.mjs", import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [script], { timeout: 60_000 }, (error, stdout, stderr) => {
      const text = `${stdout}${stderr}`.trim();
      const m = /(\d+) bytes minified, (\d+) bytes min\+gzip \(budget (\d+)\)/.exec(text);
      resolve({
        method: "node clients/browser/size.mjs",
        output: text,
        exit_code: error ? (error.code ?? 1) : 0,
        ...(m ? { minified_bytes: Number(m[1]), min_gzip_bytes: Number(m[2]), budget_bytes: Number(m[3]) } : {}),
      });
    });
  });
}

function versionOf(/** @type {string} */ pkg) {
  try {
    return JSON.parse(
      readFileSync(fileURLToPath(new URL(`../node_modules/${pkg}/package.json`, import.meta.url)), "utf8"),
    ).version;
  } catch {
    return undefined;
  }
}

async function main() {
  const started = new Date();
  const results = {
    timestamp: started.toISOString(),
    mode: flags["read-path-only"] ? "read path only" : flags.quick ? "quick" : "full",
    machine: {
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model,
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      total_memory_mb: Math.round(os.totalmem() / 2 ** 20),
      load_average_start: os.loadavg(),
      wrangler: versionOf("wrangler"),
      autocannon: versionOf("autocannon"),
      upstash_redis: versionOf("@upstash/redis"),
    },
    settings: {
      ...plan,
      runs: Object.fromEntries(plan.sizes.map((n) => [n, plan.runs(n)])),
      key_prefix: KEY_PREFIX,
      headline: HEADLINE,
      usd_per_100k_commands: 0.2,
    },
  };
  if (!flags["skip-load"]) {
    log(
      `load: concurrencies ${plan.concurrencies.join("/")}, batches ${plan.batches.join("/")}, ${plan.seconds} s per point`,
    );
    const { points, redisVersion } = await runLoad();
    results.machine.redis_server = redisVersion;
    results.matrix = points;
    const workerPids = [...new Set(points.map((p) => p.worker_pid))];
    results.worker_reloads = Math.max(workerPids.length - 1, points.some((p) => p.worker_restarted) ? 1 : 0);
    if (results.worker_reloads) log(`the Worker was reloaded during the run (its sources changed): compare with care`);
    Object.assign(results, headline(points, HEADLINE));
  }
  if (!flags["skip-analysis"]) {
    log(`analysis: ${plan.sizes.join(", ")} entries`);
    results.analysis = {
      method: {
        fixture:
          "noisyTrace(n) from core/analysis/fixtures.ts (browser/convex/worker, skewed clocks, an idle gap, ~1% errors)",
        time: "median of N runs after three warm-up passes, subjects interleaved run by run with a full GC before each (not timed), performance.now(), one child process per size",
        memory:
          "peak extra V8 heap during one call: fresh child with --expose-gc --trace-gc; heap used after a full GC (fixture loaded) is the base; the peak is the largest of the heap before each GC during the call and the heap at its end (garbage included, so an upper bound of live memory)",
        functions:
          "correlate_trace: correlateTrace(entries, summary); correlate_trace_tool: correlate() from core/query-correlate-trace.ts (correlateTrace, then the budgeted view and its text); get_trace: getTrace() from core/query-get-trace.ts with the tool's default limit 200 (buildTimeline, filterTimeline, traceWarnings, the budgeted page view and its text); read_trace_decode: parseStoredEntries (JSON.parse and LogEntrySchema.safeParse per stored element) on the trace stored as one JSON entry per list element, as LogStore.readTrace reads it. The query functions get a stand-in store that returns the fixture, so no Redis time is included",
      },
      sizes: await runAnalysis({
        sizes: plan.sizes,
        runs: plan.runs,
        memoryFunctions: ["correlate_trace", "get_trace"],
      }),
    };
  }
  if (!flags["skip-read-path"]) {
    log(`read path: ${readSizes.join(", ")} entries through /mcp`);
    results.read_path = await runReadPath({ sizes: readSizes, log, cleanups });
  }
  results.browser_client = await clientSize();
  results.machine.load_average_end = os.loadavg();
  results.elapsed_s = (Date.now() - started.getTime()) / 1000;

  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  await mkdir(dir, { recursive: true });
  const markdown = renderMarkdown(results);
  const base = flags["skip-load"] || flags["skip-analysis"] || flags["skip-read-path"] ? "partial" : "latest";
  results.targets = markdown.targets;
  for (const [name, text] of [
    [`${base}.json`, `${JSON.stringify(results, null, 2)}\n`],
    [`${base}.md`, markdown.text],
  ]) {
    await writeFile(`${dir}${name}.tmp`, text);
    await rename(`${dir}${name}.tmp`, `${dir}${name}`);
  }
  log(`wrote bench/results/${base}.json and ${base}.md in ${results.elapsed_s.toFixed(0)} s`);
  console.log(`\n${markdown.text}`);
}

try {
  await main();
} catch (error) {
  // After a signal the run is being torn down on purpose: the load thread's exit is not a failure.
  if (!signalled) console.error(`[bench] failed: ${error instanceof Error ? error.stack : error}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
