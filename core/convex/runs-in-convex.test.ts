// core/ runs unchanged in a Convex action (tests/convex-functions.test.ts runs it there): it imports only zod,
// @upstash/redis and its own files, and uses no Worker-only global.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const CORE = join(import.meta.dirname, "..");
const ALLOWED_PACKAGES = new Set(["zod", "@upstash/redis"]);
const WORKER_GLOBALS =
  /\b(HTMLRewriter|WebSocketPair|caches\.default|scheduler\.wait|navigator\.sendBeacon)\b|cloudflare:/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sources(path);
    return d.name.endsWith(".ts") && !d.name.endsWith(".test.ts") && d.name !== "fixtures.ts" ? [path] : [];
  });
}

describe("core/ is pure TypeScript", () => {
  it("imports nothing but zod, @upstash/redis and itself, and no Worker global", () => {
    const problems: string[] = [];
    for (const file of sources(CORE)) {
      const text = readFileSync(file, "utf8");
      const specs = [
        ...text.matchAll(/^(?:import|export)\s[^;"'`]*?\bfrom\s*["']([^"']+)["']/gm),
        ...text.matchAll(/^import\s*["']([^"']+)["']/gm),
        ...text.matchAll(/\bimport\(\s*["']([^"']+)["']/g),
      ];
      for (const [, spec] of specs) {
        if (spec!.startsWith(".")) continue;
        if (!ALLOWED_PACKAGES.has(spec!)) problems.push(`${relative(CORE, file)} imports ${spec}`);
      }
      if (WORKER_GLOBALS.test(text)) problems.push(`${relative(CORE, file)} uses a Worker-only global`);
    }
    expect(problems).toEqual([]);
  });
});
