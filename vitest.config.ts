// Two projects: fast units next to the code, and end-to-end tests that drive the real stack
// (redis-server, the Worker in workerd via wrangler, the MCP SDK client, headless Chromium).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "core/**/*.test.ts",
            "clients/**/*.test.ts",
            "dev/**/*.test.ts",
            "mcp-server/**/*.test.ts",
            "ingest-worker/**/*.test.ts",
          ],
          environment: "node",
        },
      },
      {
        test: {
          name: "e2e",
          include: ["tests/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each file starts its own stack on free ports; two cores do not gain from more.
          fileParallelism: false,
        },
      },
    ],
  },
});
