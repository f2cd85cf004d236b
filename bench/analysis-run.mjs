// Runs bench/analysis.ts (bundled with esbuild into a temp dir) in child processes: timings in one child per
// trace size, peak heap in a fresh child per function and size, so measurements do not disturb each other.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ENTRY = fileURLToPath(new URL("./analysis.ts", import.meta.url));
const CHILD_TIMEOUT_MS = 120_000;
const MIB = 1024 * 1024;

/** Children still running, so the caller can stop them on a signal. */
export const running = new Set();

function node(/** @type {string[]} */ args) {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      args,
      { timeout: CHILD_TIMEOUT_MS, maxBuffer: 64 * MIB },
      (error, stdout, stderr) => {
        running.delete(child);
        if (error) reject(new Error(`${args.slice(-3).join(" ")}: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
    running.add(child);
  });
}

/**
 * Peak heap of one call from V8's --trace-gc lines between the BEGIN/END markers: the heap just before each
 * collection (its local maxima) and at END; minus the heap at BEGIN (after a full GC, fixture loaded).
 */
export function parsePeak(/** @type {string} */ stdout) {
  const lines = stdout.split("\n");
  const begin = lines.findIndex((l) => l.startsWith("@@BEGIN "));
  const end = lines.findIndex((l) => l.startsWith("@@END "));
  if (begin < 0 || end < begin) throw new Error(`no BEGIN/END markers in:\n${stdout.slice(0, 2000)}`);
  const base = Number(lines[begin].split(" ")[1]);
  let peak = Number(lines[end].split(" ")[1]);
  let collections = 0;
  for (const line of lines.slice(begin + 1, end)) {
    const m =
      /: (?:Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact|Minor Mark-Sweep)[^\d]*([\d.]+) \([\d.]+\) -> [\d.]+/.exec(
        line,
      );
    if (!m) continue;
    collections++;
    peak = Math.max(peak, Number(m[1]) * MIB);
  }
  const retained = Number(/@@RETAINED (-?\d+)/.exec(stdout)?.[1] ?? NaN);
  return { peak_heap_mb: (peak - base) / MIB, retained_mb: retained / MIB, collections };
}

/**
 * @param {{ sizes: number[], runs: (size: number) => number, memoryFunctions: string[] }} plan
 */
export async function runAnalysis(plan) {
  const dir = await mkdtemp(join(tmpdir(), "debug-logs-bench-"));
  try {
    const file = join(dir, "analysis.mjs");
    await build({
      entryPoints: [ENTRY],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: file,
      logLevel: "warning",
    });
    /** @type {Record<string, Record<string, unknown>>} */
    const bySize = {};
    for (const size of plan.sizes) {
      const timing = JSON.parse(
        String(await node(["--expose-gc", file, "time", String(size), String(plan.runs(size))]))
          .trim()
          .split("\n")
          .pop(),
      );
      /** @type {Record<string, unknown>} */
      const functions = {};
      for (const [name, t] of Object.entries(timing.functions)) functions[name] = { ...t };
      for (const name of plan.memoryFunctions) {
        const out = String(await node(["--expose-gc", "--trace-gc", file, "memory", name, String(size)]));
        functions[name] = { ...(functions[name] ?? {}), ...parsePeak(out) };
      }
      bySize[String(size)] = { entries: timing.entries, functions };
    }
    return bySize;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
