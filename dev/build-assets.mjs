// Builds what the Worker serves as static assets into public/: the browser client bundle and the pages.
// Runs before `wrangler dev` and `wrangler deploy` (wrangler.jsonc "build.command").
import { build } from "esbuild";
import { cp, mkdir, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = `${root}public`;

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const bundles = [
  // The browser client, loadable with <script type="module"> from the Worker's own origin.
  { entry: "clients/browser/index.ts", outfile: "client/debug-logs.js" },
  { entry: "clients/demo/demo.ts", outfile: "demo/demo.js" },
  { entry: "debug-page/main.ts", outfile: "debug/debug.js" },
];
for (const { entry, outfile } of bundles) {
  if (!existsSync(`${root}${entry}`)) continue;
  await build({
    entryPoints: [`${root}${entry}`],
    outfile: `${out}/${outfile}`,
    bundle: true,
    format: "esm",
    minify: true,
    target: "es2020",
    sourcemap: false,
    logLevel: "warning",
  });
}

// Static pages copied as they are.
for (const dir of ["clients/demo/static", "debug-page/static"]) {
  if (existsSync(`${root}${dir}`)) {
    const target = dir.startsWith("clients/demo") ? "demo" : "debug";
    await cp(`${root}${dir}`, `${out}/${target}`, { recursive: true });
  }
}
