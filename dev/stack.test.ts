// startStack end to end with a throwaway Worker (written to a temp dir): the store it picks, the vars
// the Worker gets, the Worker reaching the store through the REST endpoint, and a clean stop.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRedisServer } from "./redis-server.mjs";
import { startStack } from "./stack.mjs";
import { startUpstashRest } from "./upstash-rest.mjs";

const WORKER = `
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/vars") {
      return Response.json(Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === "string")));
    }
    const res = await fetch(env.UPSTASH_REDIS_REST_URL, {
      method: "POST",
      headers: { authorization: "Bearer " + env.UPSTASH_REDIS_REST_TOKEN },
      body: JSON.stringify(["INCR", "hits"]),
    });
    return new Response(JSON.stringify(await res.json()));
  },
};`;
const CONFIG = {
  name: "stack-test",
  main: "worker.js",
  compatibility_date: "2026-04-01",
  compatibility_flags: ["nodejs_compat"],
  vars: { ENVIRONMENT: "production", LOG_TTL_SECONDS: "3600" },
};

const portIsClosed = (url: string) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port: Number(new URL(url).port) });
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(true));
  });

describe("startStack", { timeout: 60_000 }, () => {
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "debug-logs-stack-"));
    config = join(dir, "wrangler.json");
    await writeFile(join(dir, "worker.js"), WORKER);
    await writeFile(config, JSON.stringify(CONFIG));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("runs the Worker on a free port against the memory store, with the vars it should get", async () => {
    const stack = await startStack({
      config,
      store: "memory",
      quiet: true,
      processEnv: { LOG_TTL_SECONDS: "42", KEY_PREFIX: "dev:", UNRELATED: "no", REDIS_URL: "redis://127.0.0.1:1" },
      env: { RATE_LIMIT_GLOBAL_PER_HOUR: "7" },
    });
    try {
      expect(stack.store).toBe("memory");
      expect(stack.redisUrl).toBeUndefined();
      expect(stack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const vars = await (await fetch(`${stack.url}/vars`)).json();
      expect(vars).toEqual({
        ENVIRONMENT: "development",
        LOG_TTL_SECONDS: "42",
        KEY_PREFIX: "dev:",
        RATE_LIMIT_GLOBAL_PER_HOUR: "7",
        UPSTASH_REDIS_REST_URL: stack.rest.url,
        UPSTASH_REDIS_REST_TOKEN: stack.rest.token,
        MCP_AUTH_TOKEN: stack.mcpToken,
        INGEST_TOKEN: stack.ingestToken,
      });
      expect(stack.mcpToken).toMatch(/^[0-9a-f]{64}$/);
      expect(stack.ingestToken).toMatch(/^[0-9a-f]{64}$/);
      expect(await (await fetch(`${stack.url}/incr`)).json()).toEqual({ result: 1 });
      expect(await (await fetch(`${stack.url}/incr`)).json()).toEqual({ result: 2 });
      expect(stack.rest.stats?.byCommand).toEqual({ incr: 2 });
    } finally {
      await stack.stop();
    }
    expect(await portIsClosed(stack.url)).toBe(true);
    expect(await portIsClosed(stack.rest.url)).toBe(true);
    await stack.stop(); // idempotent
  });

  it("uses an Upstash database directly when UPSTASH_REDIS_REST_URL and _TOKEN are set", async () => {
    const upstash = await startUpstashRest({ backend: { type: "memory" } });
    const stack = await startStack({
      config,
      quiet: true,
      processEnv: {
        UPSTASH_REDIS_REST_URL: upstash.url,
        UPSTASH_REDIS_REST_TOKEN: upstash.token,
        MCP_AUTH_TOKEN: "given",
      },
    });
    try {
      expect(stack.store).toBe("upstash");
      expect(stack.rest).toEqual({ url: upstash.url, token: upstash.token, stats: null });
      expect(stack.mcpToken).toBe("given");
      expect(await (await fetch(`${stack.url}/incr`)).json()).toEqual({ result: 1 });
      expect(upstash.stats.commands).toBe(1);
    } finally {
      await stack.stop();
      await upstash.close();
    }
  });

  it.skipIf(!findRedisServer())(
    "starts an ephemeral redis-server when one is on PATH, and stops it (skipped without one)",
    async () => {
      const stack = await startStack({ config, quiet: true, processEnv: {} });
      try {
        expect(stack.store).toBe("redis");
        expect(stack.storeDescription).toMatch(/^ephemeral redis-server/);
        expect(stack.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
        expect(await (await fetch(`${stack.url}/incr`)).json()).toEqual({ result: 1 });
      } finally {
        await stack.stop();
      }
      expect(await portIsClosed(`http://${new URL(stack.redisUrl as string).host}`)).toBe(true);
    },
  );

  it("refuses a taken port at once instead of waiting for workerd", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(startStack({ config, quiet: true, store: "memory", port })).rejects.toThrow(
        new RegExp(`port ${port} is already in use`),
      );
    } finally {
      blocker.close();
    }
  });

  it("refuses an unknown store and leaves nothing running", async () => {
    await expect(startStack({ config, quiet: true, store: "mongo" as "memory" })).rejects.toThrow(/store must be/);
  });
});
