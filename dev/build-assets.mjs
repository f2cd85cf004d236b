// Builds what the Worker serves as static assets into public/: the browser client bundle and the pages.
// Runs before `wrangler dev` and `wrangler deploy` (wrangler.jsonc "build.command"). Files are built in a
// temporary folder and renamed into place, so a Worker already serving public/ never sees a half-written file.
import { build } from "esbuild";
import { cp, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "public");
await mkdir(out, { recursive: true });
const staging = await mkdtemp(join(out, ".staging-"));

const bundles = [
  // The browser client, loadable with <script type="module"> from the Worker's own origin.
  { entry: "clients/browser/index.ts", outfile: "client/debug-logs.js" },
  { entry: "clients/demo/demo.ts", outfile: "demo/demo.js" },
  { entry: "debug-page/main.ts", outfile: "debug/debug.js" },
];
// Static pages copied as they are.
const statics = [
  { dir: "clients/demo/static", target: "demo" },
  { dir: "debug-page/static", target: "debug" },
];

try {
  for (const { entry, outfile } of bundles) {
    if (!existsSync(join(root, entry))) continue;
    await build({
      entryPoints: [join(root, entry)],
      outfile: join(staging, outfile),
      bundle: true,
      format: "esm",
      minify: true,
      target: "es2020",
      sourcemap: false,
      logLevel: "warning",
    });
  }
  for (const { dir, target } of statics) {
    if (existsSync(join(root, dir))) await cp(join(root, dir), join(staging, target), { recursive: true });
  }
  for (const file of await readdir(staging, { recursive: true, withFileTypes: true })) {
    if (!file.isFile()) continue;
    const from = join(file.parentPath, file.name);
    const to = join(out, relative(staging, from));
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
  }
} finally {
  await rm(staging, { recursive: true, force: true });
}
