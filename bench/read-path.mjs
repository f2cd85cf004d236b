// The read path end to end: traces of 1k/10k/50k entries stored through POST /log, then correlate_trace and
// get_trace called through /mcp with the real MCP SDK client. Reports per call the wall time, the Redis commands,
// the largest single reply the REST endpoint sent (Upstash refuses over 10 MB) and the Worker's memory (workerd's
// resident set: its peak during the call, reset before it through /proc/<pid>/clear_refs, and its rise).
import { readFileSync, writeFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startStack } from "../dev/stack.mjs";
import { stackProcesses } from "./cpu.mjs";

/** Entries per POST /log (MAX_ENTRIES_PER_BATCH). */
const BATCH = 500;
const MIB = 1024 * 1024;
const TOOLS = /** @type {const} */ (["correlate_trace", "get_trace"]);

/** One entry of a noisy three-system trace: 1 in 100 an error with a stack, 1 in 50 a warning, 1 in 4 with context. */
function entry(/** @type {string} */ traceId, /** @type {number} */ i, /** @type {number} */ start) {
  const system = ["browser", "convex", "worker"][i % 3];
  const level = i % 100 === 99 ? "error" : i % 50 === 49 ? "warn" : i % 7 === 0 ? "debug" : "info";
  return {
    id: `${traceId}-${i}`,
    trace_id: traceId,
    system,
    level,
    message:
      level === "error"
        ? `TypeError: Cannot read properties of undefined (reading 'id') in handler ${i % 13}`
        : `${system} step ${i}: rendered component list with ${i % 40} items in ${(i * 7) % 90} ms`,
    ...(level === "error"
      ? { stack: `TypeError: boom\n    at handler (app.ts:${i % 300}:7)\n    at run (core.ts:12:3)` }
      : {}),
    ...(i % 4 === 0 ? { context: { route: `/items/${i % 17}`, attempt: i % 3, flags: ["a", "b"] } } : {}),
    timestamp: start + i * 5,
  };
}

/** Stores a trace of `n` entries through POST /log, in batches of BATCH. */
async function ingest(/** @type {any} */ stack, /** @type {string} */ traceId, /** @type {number} */ n) {
  const start = Date.now() - n * 5;
  for (let i = 0; i < n; i += BATCH) {
    const entries = Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => entry(traceId, i + k, start));
    const res = await fetch(`${stack.url}/log`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.ingestToken}` },
      body: JSON.stringify({ entries }),
    });
    const body = await res.json();
    if (res.status !== 202 || body.accepted !== entries.length)
      throw new Error(`POST /log for ${traceId}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
}

/** workerd's resident set now and its peak since the last reset, MB (NaN where /proc does not tell). */
function memory(/** @type {number | undefined} */ pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (/** @type {string} */ field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    return { rss_mb: kb("VmRSS") / 1024, peak_mb: kb("VmHWM") / 1024 };
  } catch {
    return { rss_mb: NaN, peak_mb: NaN };
  }
}
function resetPeak(/** @type {number | undefined} */ pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the read-path bench on its own stack. `sizes` are the trace lengths.
 * @param {{ sizes: number[], log: (line: string) => void, cleanups: Array<() => Promise<void>> }} options
 */
export async function runReadPath({ sizes, log, cleanups }) {
  const stack = await startStack({
    port: 0,
    store: "redis",
    quiet: true,
    processEnv: { PATH: process.env.PATH },
    env: {
      KEY_PREFIX: `bench-read-${Date.now().toString(36)}:`,
      RATE_LIMIT_GLOBAL_PER_HOUR: "1000000000",
      RATE_LIMIT_PER_TRACE_PER_HOUR: "1000000000",
      MAX_ENTRIES_PER_TRACE: String(Math.max(...sizes)),
    },
  });
  cleanups.push(() => stack.stop());
  const client = new Client({ name: "debug-logs-bench", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL("/mcp", stack.url), {
      requestInit: { headers: { Authorization: `Bearer ${stack.mcpToken}` } },
    }),
  );
  cleanups.push(() => client.close());
  const stats = stack.rest.stats;
  const out = [];
  let pid;
  for (const n of sizes) {
    const traceId = `read-${n}`;
    const t0 = performance.now();
    await ingest(stack, traceId, n);
    log(`read path: stored ${n.toLocaleString("en-US")} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    pid ??= stackProcesses(stack.url).worker;
    /** @type {Record<string, unknown>} */
    const tools = {};
    for (const tool of TOOLS) {
      // A warm-up call, then the measured one.
      await client.callTool({ name: tool, arguments: { trace_id: traceId } });
      stats?.reset();
      const reset = resetPeak(pid);
      const before = memory(pid);
      const started = performance.now();
      const result = await client.callTool({ name: tool, arguments: { trace_id: traceId } });
      const ms = performance.now() - started;
      const after = memory(pid);
      const text = /** @type {Array<{ type: string, text?: string }>} */ (result.content ?? [])
        .map((c) => c.text ?? "")
        .join("\n");
      const structured = JSON.stringify(result.structuredContent ?? null);
      tools[tool] = {
        ms,
        is_error: result.isError === true,
        redis_commands: stats?.commands ?? NaN,
        largest_reply_mb: (stats?.largestReplyBytes ?? NaN) / MIB,
        worker_rss_before_mb: before.rss_mb,
        worker_peak_rss_mb: reset ? after.peak_mb : NaN,
        worker_rss_rise_mb: (reset ? after.peak_mb : NaN) - before.rss_mb,
        structured_chars: structured.length,
        says_what_was_not_read: /Not read: /.test(text + structured),
      };
      log(
        `read path: ${tool} on ${n.toLocaleString("en-US")}: ${ms.toFixed(0)} ms, ${stats?.commands} commands, largest reply ${fixedMb(stats?.largestReplyBytes)} MB, workerd peak RSS ${after.peak_mb.toFixed(0)} MB${result.isError ? " (error result)" : ""}`,
      );
    }
    out.push({ entries: n, tools });
  }
  await stack.stop();
  return {
    method:
      "each trace stored through POST /log in batches of 500 (1 in 100 entries an error, 1 in 50 a warning, 1 in 4 with context); per tool one warm-up call then one measured call through /mcp (MCP SDK client, streamable HTTP). redis_commands and largest_reply_mb from the local REST endpoint during the measured call; worker_peak_rss_mb is workerd's VmHWM after resetting it (clear_refs 5) before the call, worker_rss_rise_mb its rise over the resident set just before; the V8 heap is part of that resident set",
    sizes: out,
  };
}

function fixedMb(/** @type {number | undefined} */ bytes) {
  return bytes === undefined ? "?" : (bytes / MIB).toFixed(2);
}
