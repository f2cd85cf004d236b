import { describe, expect, it } from "vitest";
import type { Level } from "../schema.js";
import { noiseReason } from "./noise.js";

const reason = (level: Level, message: string) => noiseReason({ level, message });

describe("noiseReason", () => {
  it.each<[Level, string, RegExp]>([
    ["warn", "(node:1) [DEP0040] DeprecationWarning: The `punycode` module is deprecated.", /deprecation/],
    ["error", "(node:1) [DEP0005] DeprecationWarning: Buffer() is deprecated", /deprecation/],
    ["warn", "[Violation] 'click' handler took 284ms", /Violation/],
    ["error", "Warning: Function components cannot be given refs. Attempts to access this ref will fail.", /React/],
    [
      "error",
      "A tree hydrated but some attributes of the server rendered HTML didn't match the client properties.",
      /extension/,
    ],
    [
      "info",
      "Download the React DevTools for a better development experience: https://reactjs.org/link/react-devtools",
      /tooling/,
    ],
    ["error", "ResizeObserver loop completed with undelivered notifications.", /ResizeObserver/],
  ])("%s %s", (level, message, why) => {
    expect(reason(level, message)).toMatch(why);
  });

  it.each<[Level, string]>([
    // Hydration mismatches of text are real bugs, and an API that is gone is the failure itself.
    ["error", 'Warning: Text content did not match. Server: "2026-12-01" Client: "12/1/2026"'],
    ["error", "Error: Hydration failed because the server rendered text didn't match the client."],
    ["error", "Error: API version 2019-02-11 is deprecated and has been removed"],
    ["warn", "warning: disk almost full"],
    ["debug", "[Violation] 'click' handler took 284ms"],
  ])("not noise: %s %s", (level, message) => {
    expect(reason(level, message)).toBeUndefined();
  });
});
