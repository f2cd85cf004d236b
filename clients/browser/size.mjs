// Measures the browser client as an app would ship it (bundled, minified, gzipped) and fails over the budget.
// Usage: node clients/browser/size.mjs
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

/** Budget for the minified + gzipped bundle, bytes. */
const BUDGET_BYTES = 5 * 1024;

const result = await build({
  entryPoints: [fileURLToPath(new URL("./index.ts", import.meta.url))],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  write: false,
  logLevel: "warning",
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).length;
const ok = gzipped <= BUDGET_BYTES;
console.log(
  `browser client: ${code.length} bytes minified, ${gzipped} bytes min+gzip (budget ${BUDGET_BYTES}) ${ok ? "ok" : "OVER BUDGET"}`,
);
process.exit(ok ? 0 : 1);
