import { describe, expect, it } from "vitest";
import { detectSystem } from "./detect-system.js";

const from = (headers: Record<string, string>) => detectSystem((name) => headers[name.toLowerCase()]);

describe("detectSystem", () => {
  it("follows the documented precedence", () => {
    expect(from({ "x-debug-logs-system": "convex", origin: "https://a.test" })).toBe("convex");
    expect(from({ "cf-worker": "example.com", origin: "https://a.test" })).toBe("worker");
    expect(from({ origin: "https://a.test" })).toBe("browser");
    expect(from({ "sec-fetch-site": "same-origin" })).toBe("browser");
    expect(from({ "sec-fetch-mode": "cors" })).toBe("manual");
    expect(from({})).toBe("manual");
    expect(from({ "x-debug-logs-system": "mainframe" })).toBe("manual");
  });
});
