// Ephemeral redis-server processes for `npm run dev`, tests and benchmarks: nothing persisted,
// loopback only, a free port each, stopped with the process that started them.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createConnection, createServer } from "node:net";
import { delimiter, join } from "node:path";

const READY_TIMEOUT_MS = 10_000;

/** The path of `redis-server` on PATH, or null. */
export function findRedisServer() {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `redis-server` in the foreground (a child of this process) and waits until it answers PING.
 * @param {{ port?: number }} [options] port: 0 (default) picks a free one
 * @returns {Promise<{ url: string, port: number, pid: number, stop: () => Promise<void> }>}
 */
export async function startRedisServer({ port = 0 } = {}) {
  const binary = findRedisServer();
  if (!binary) throw new Error("redis-server is not on PATH (Debian: apt-get install -y redis-server)");
  // A port picked free can be taken before redis binds it: try another one.
  for (let attempt = 1; ; attempt++) {
    const chosen = port || /** @type {number} */ (await freePort());
    try {
      return await launch(binary, chosen);
    } catch (error) {
      if (port || attempt >= 3 || !/Address already in use/i.test(String(error))) throw error;
    }
  }
}

async function launch(/** @type {string} */ binary, /** @type {number} */ port) {
  const args = [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    "--dir",
    process.env.TMPDIR ?? "/tmp",
  ];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output = (output + d).slice(-4000)));
  child.stderr.on("data", (d) => (output = (output + d).slice(-4000)));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  // Never leave a server behind when this process ends without calling stop().
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      process.removeListener("exit", killOnExit);
      throw new Error(`redis-server exited before it was ready: ${output.trim().split("\n").slice(-3).join(" | ")}`);
    }
    if (await answers(port, /** @type {number} */ (child.pid))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on port ${port} did not answer PING within ${READY_TIMEOUT_MS} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: /** @type {number} */ (child.pid), stop };
}

/** True when the Redis answering on this port is this process (not another one holding the port). */
function answers(/** @type {number} */ port, /** @type {number} */ pid) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let text = "";
    const done = (/** @type {boolean} */ ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("INFO server\r\n"));
    socket.on("data", (data) => {
      text += data;
      const found = /process_id:(\d+)\r\n/.exec(text);
      if (found) done(Number(found[1]) === pid);
      else if (text.startsWith("-")) done(false);
    });
  });
}
