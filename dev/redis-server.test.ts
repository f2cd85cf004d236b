// The ephemeral redis-server helper: free ports side by side, ready when returned, gone when stopped.
import { createConnection } from "node:net";
import { describe, expect, it } from "vitest";
import { findRedisServer, startRedisServer } from "./redis-server.mjs";

const ping = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("error", (error) => resolve(`error: ${(error as NodeJS.ErrnoException).code}`));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().trim());
    });
  });

describe.skipIf(!findRedisServer())("startRedisServer (skipped without redis-server on PATH)", () => {
  it("finds the binary on PATH", () => {
    expect(findRedisServer()).toMatch(/\/redis-server$/);
  });

  it("starts servers on distinct free ports, answering at once, and frees them on stop", async () => {
    const [a, b] = await Promise.all([startRedisServer({ port: 0 }), startRedisServer()]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.url).toBe(`redis://127.0.0.1:${a.port}`);
      expect(await ping(a.port)).toBe("+PONG");
      expect(await ping(b.port)).toBe("+PONG");
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(await ping(a.port)).toBe("error: ECONNREFUSED");
    expect(() => process.kill(a.pid, 0)).toThrow();
    await a.stop(); // idempotent
  });

  it("reports a port that is taken instead of hanging", async () => {
    const first = await startRedisServer();
    try {
      await expect(startRedisServer({ port: first.port })).rejects.toThrow(/exited before it was ready/);
    } finally {
      await first.stop();
    }
  });
});
