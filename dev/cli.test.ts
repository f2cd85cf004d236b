// The two command lines: the REST endpoint on its own, and `npm run dev` (here with a throwaway
// Worker config), from start to a clean Ctrl-C.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const dev = fileURLToPath(new URL(".", import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [join(dev, script), ...args], { env: { ...process.env, ...env } });
  children.push(child);
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, ms = 30_000) => {
    for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      const match = pattern.exec(output);
      if (match) return match;
      if (child.exitCode !== null) break;
    }
    throw new Error(`no ${pattern} in output:\n${output}`);
  };
  return { child, exited, waitFor, output: () => output };
}

const portIsClosed = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(true));
  });

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});

describe("node dev/upstash-rest.mjs", () => {
  it("prints its usage with --help, and refuses to start without a store", async () => {
    const help = run("upstash-rest.mjs", ["--help"]);
    expect(await help.exited).toBe(0);
    expect(help.output()).toMatch(/--redis-url URL[\s\S]*--memory[\s\S]*--port N[\s\S]*--token T/);
    const bare = run("upstash-rest.mjs", []);
    expect(await bare.exited).toBe(2);
  });

  it("serves the REST protocol with the given token until SIGTERM", async () => {
    const cli = run("upstash-rest.mjs", ["--memory", "--port", "0", "--token", "cli-token"]);
    const [, url] = await cli.waitFor(/UPSTASH_REDIS_REST_URL=(\S+)/);
    const call = (body: unknown) =>
      fetch(url as string, {
        method: "POST",
        headers: { authorization: "Bearer cli-token" },
        body: JSON.stringify(body),
      }).then((r) => r.json());
    expect(await call(["SET", "k", "v"])).toEqual({ result: "OK" });
    expect(await call(["GET", "k"])).toEqual({ result: "v" });
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/2 commands served/);
    expect(await portIsClosed(Number(new URL(url as string).port))).toBe(true);
  });
});

describe("node dev/start.mjs", { timeout: 60_000 }, () => {
  it("describes the store choice and the vars with --help", async () => {
    const help = run("start.mjs", ["--help"]);
    expect(await help.exited).toBe(0);
    for (const text of [
      "UPSTASH_REDIS_REST_URL",
      "REDIS_URL",
      "redis-server on PATH",
      "in-memory",
      "MCP_AUTH_TOKEN",
      "KEY_PREFIX",
      "8787",
    ]) {
      expect(help.output()).toContain(text);
    }
  });

  it("starts the stack, prints how to connect, and stops everything on Ctrl-C", async () => {
    const dir = await mkdtemp(join(tmpdir(), "debug-logs-cli-"));
    try {
      await writeFile(
        join(dir, "worker.js"),
        'export default { fetch: (_r, env) => new Response(env.ENVIRONMENT + " " + env.MCP_AUTH_TOKEN) };',
      );
      await writeFile(
        join(dir, "wrangler.json"),
        JSON.stringify({ name: "cli-test", main: "worker.js", compatibility_date: "2026-04-01" }),
      );
      const cli = run("start.mjs", ["--store", "memory", "--config", join(dir, "wrangler.json")], {
        PORT: "0",
        MCP_AUTH_TOKEN: "mcp-secret",
      });
      const [, url] = await cli.waitFor(/worker\s+(http:\/\/127\.0\.0\.1:\d+)/);
      const text = cli.output();
      expect(text).toMatch(/store\s+embedded in-memory store/);
      expect(text).toContain(
        `claude mcp add --transport http debug-logs ${url}/mcp --header "Authorization: Bearer mcp-secret"`,
      );
      expect(text).toMatch(/INGEST_TOKEN=[0-9a-f]{64} \(generated/);
      expect(text).toMatch(new RegExp(`curl -X POST ${url}/log -H "Authorization: Bearer [0-9a-f]{64}"`));
      expect(await (await fetch(url as string)).text()).toBe("development mcp-secret");
      cli.child.kill("SIGINT");
      expect(await cli.exited).toBe(0);
      expect(await portIsClosed(Number(new URL(url as string).port))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it(
    "exits with a clear message when its workerd dies, instead of staying up silent and broken",
    { timeout: 120_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "debug-logs-cli-"));
      try {
        await writeFile(join(dir, "worker.js"), "export default { fetch: () => new Response('ok') };");
        await writeFile(
          join(dir, "wrangler.json"),
          JSON.stringify({ name: "cli-test", main: "worker.js", compatibility_date: "2026-04-01" }),
        );
        const cli = run("start.mjs", ["--store", "memory", "--config", join(dir, "wrangler.json")], { PORT: "0" });
        const [, url] = await cli.waitFor(/worker\s+(http:\/\/127\.0\.0\.1:\d+)/);
        expect(await (await fetch(url as string)).text()).toBe("ok");
        const workerd = execFileSync("ps", ["-A", "-o", "pid=,ppid=,comm="], { encoding: "utf8" })
          .split("\n")
          .map((line) => line.trim().split(/\s+/))
          .filter(([, ppid, command]) => Number(ppid) === cli.child.pid && /workerd$/.test(command ?? ""))
          .map(([pid]) => Number(pid));
        expect(workerd.length).toBeGreaterThan(0);
        process.kill(Math.max(...workerd), "SIGKILL");
        const code = await Promise.race([cli.exited, new Promise((r) => setTimeout(() => r("still running"), 40_000))]);
        expect(code, cli.output().slice(-800)).toBe(1);
        expect(cli.output(), cli.output().slice(-1500)).toMatch(/the Worker runtime died .*run npm run dev again/);
        expect(await portIsClosed(Number(new URL(url as string).port))).toBe(true);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
