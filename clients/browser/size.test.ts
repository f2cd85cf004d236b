// Keeps the size budget enforced by `npm test`, not only when someone remembers to run size.mjs.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

it("the browser client stays within its min+gzip budget", () => {
  const script = fileURLToPath(new URL("./size.mjs", import.meta.url));
  // execFileSync throws (failing the test) when the script exits non-zero, i.e. over budget.
  const out = execFileSync(process.execPath, [script], { encoding: "utf8" });
  expect(out).toMatch(/min\+gzip \(budget 5120\) ok/);
});
