// `npm run bench -- --hostile`: bundles bench/hostile.ts, runs it in a child process, and renders its figures
// (CPU per KiB of request body and per trace, hostile against benign input of the same size) as markdown.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ENTRY = fileURLToPath(new URL("./hostile.ts", import.meta.url));
const CHILD_TIMEOUT_MS = 300_000;

/** @param {{ quick: boolean }} options */
export async function runHostile({ quick }) {
  const dir = await mkdtemp(join(tmpdir(), "debug-logs-hostile-"));
  try {
    const outfile = join(dir, "hostile.mjs");
    await build({ entryPoints: [ENTRY], bundle: true, platform: "node", format: "esm", outfile, logLevel: "warning" });
    const stdout = await new Promise((resolve, reject) =>
      execFile(
        process.execPath,
        [outfile, ...(quick ? ["--quick"] : [])],
        { timeout: CHILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
        (error, out, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(out)),
      ),
    );
    return JSON.parse(String(stdout).trim().split("\n").pop() ?? "{}");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const f = (/** @type {number} */ n, digits = 1) => n.toFixed(digits);

/** @param {any} r */
export function renderHostile(r) {
  const lines = ["## Hostile input", ""];
  lines.push(
    "CPU of the Worker's work before the store (JSON.parse, normalizeBatch with its bounds and redaction, one",
    "JSON.stringify per entry) per KiB of body; ratio against the benign body of the same size and entry count",
    "(`benign lines`: 2 KiB entries; `benign, 500 short entries` for the many-entry cases). Medians, one process.",
    "",
    "| body | KiB | ms | µs per KiB | vs benign |",
    "| --- | ---: | ---: | ---: | ---: |",
  );
  for (const row of r.ingest) {
    lines.push(`| ${row.case} | ${row.kib} | ${f(row.ms, 2)} | ${f(row.us_per_kib)} | ${f(row.ratio, 2)} |`);
  }
  lines.push(
    "",
    "Analysis on traces whose every message (8 KiB) is hostile, against benign messages of the same size:",
    "",
  );
  lines.push("| messages | entries | function | ms | vs benign |", "| --- | ---: | --- | ---: | ---: |");
  for (const row of r.analysis) {
    lines.push(`| ${row.case} | ${row.entries} | ${row.subject} | ${f(row.ms, 2)} | ${f(row.ratio, 2)} |`);
  }
  lines.push("", "Search regexes on a hostile message (8 KiB of `a`), on the text the guard lets them see:", "");
  lines.push("| pattern | chars seen | ms per test |", "| --- | ---: | ---: |");
  for (const row of r.regex) lines.push(`| \`${row.case}\` | ${row.input_chars} | ${f(row.ms, 3)} |`);
  return `${lines.join("\n")}\n`;
}
