// The embedded store for machines with only Node: ioredis-mock's data engine, Lua on fengari, and
// the fixes in memory-compat.mjs where ioredis-mock answers differently from Redis 7.
import { createRequire } from "node:module";
import { LuaEngine } from "./memory-lua.mjs";
import { errorText, malformed, runOnMock, splitKeys } from "./memory-compat.mjs";

/** @typedef {import("./memory-lua.mjs").Outcome} Outcome */

const RedisMock = createRequire(import.meta.url)("ioredis-mock");
const EXPIRY_SWEEP_MS = 1000;
const VOLATILE = new Set(["expire", "pexpire", "expireat", "pexpireat", "set", "setex", "psetex", "getex"]);
const NOT_FROM_SCRIPT = new Set("eval eval_ro evalsha evalsha_ro script multi exec discard watch subscribe".split(" "));
const WITH_SUBCOMMAND = new Set(["script", "config", "client", "object"]);

let instances = 0;

/** An isolated in-memory Redis. Calls run one at a time, so MULTI/EXEC and scripts are atomic. */
export function createMemoryBackend() {
  // ioredis-mock shares data between instances with the same host:port, so each gets its own.
  const mock = new RedisMock({ host: `memory-${process.pid}-${++instances}`, port: 1 });
  /** @type {Map<string, number>} commandstats, counted like Redis does (commands inside scripts too) */
  const calls = new Map();
  /** @type {Set<string>} keys that may carry a TTL: swept so expired data is freed, not only hidden */
  const volatile = new Set();
  const lua = new LuaEngine((args) => run(args, true));
  let queue = Promise.resolve();
  /** @template T @param {() => Promise<T>} task @returns {Promise<T>} */
  const exclusive = (task) => {
    const next = queue.then(task);
    queue = next.then(
      () => {},
      () => {},
    );
    return next;
  };
  const sweep = setInterval(() => {
    for (const key of volatile) if (!mock.data.has(key)) volatile.delete(key);
  }, EXPIRY_SWEEP_MS);
  sweep.unref();

  /** @returns {Promise<Outcome>} */
  async function run(/** @type {string[]} */ args, fromScript = false) {
    const name = String(args[0]).toLowerCase();
    const fullName = WITH_SUBCOMMAND.has(name) ? `${name}|${String(args[1] ?? "").toLowerCase()}` : name;
    calls.set(fullName, (calls.get(fullName) ?? 0) + 1);
    if (fromScript && NOT_FROM_SCRIPT.has(name)) return { error: "ERR This Redis command is not allowed from script" };
    const invalid = malformed(args, fullName, fromScript);
    if (invalid) return { error: invalid };
    const rest = args.slice(1);
    try {
      switch (name) {
        case "eval":
        case "eval_ro":
        case "evalsha":
        case "evalsha_ro": {
          const [target = "", count = "", ...more] = rest;
          const split = splitKeys(count, more);
          if ("error" in split) return split;
          const readonly = name.endsWith("_ro");
          return name.startsWith("evalsha")
            ? await lua.evalsha(target, split.keys, split.argv, readonly)
            : await lua.eval(target, split.keys, split.argv, readonly);
        }
        case "script":
          return script(rest);
        case "info":
          return { result: info(rest) };
      }
      if (VOLATILE.has(name)) volatile.add(String(rest[0]));
      return await runOnMock(mock, name, rest);
    } catch (error) {
      return { error: errorText(error) };
    }
  }

  /** @returns {Outcome} */
  function script(/** @type {string[]} */ [sub = "", ...rest]) {
    switch (sub.toLowerCase()) {
      case "load": {
        if (rest.length !== 1) return { error: "ERR wrong number of arguments for 'script|load' command" };
        const loaded = lua.load(String(rest[0]));
        return "error" in loaded ? loaded : { result: loaded.sha };
      }
      case "exists":
        return { result: rest.map((sha) => (lua.exists(sha) ? 1 : 0)) };
      case "flush":
        lua.flush();
        return { result: "OK", status: true };
      default:
        return { error: `ERR unknown subcommand '${sub}'. Try SCRIPT HELP.` };
    }
  }

  /** A minimal INFO: server, stats, keyspace and commandstats (no timings). */
  function info(/** @type {string[]} */ sections) {
    const keys = mock.data.keys();
    const expiring = keys.filter((/** @type {string} */ k) => mock.expires.has(k)).length;
    /** @type {Record<string, string[]>} */
    const all = {
      server: ["redis_version:7.0.0", "redis_mode:standalone", "local_store:memory", `process_id:${process.pid}`],
      stats: [`total_commands_processed:${[...calls.values()].reduce((a, b) => a + b, 0)}`],
      keyspace: keys.length ? [`db0:keys=${keys.length},expires=${expiring},avg_ttl=0`] : [],
      commandstats: [...calls].map(([cmd, n]) => `cmdstat_${cmd}:calls=${n},usec=0,usec_per_call=0.00`),
    };
    const wanted = sections.map((s) => s.toLowerCase());
    let pick = wanted.length === 0 || wanted.includes("default") ? ["server", "stats", "keyspace"] : wanted;
    if (wanted.includes("all") || wanted.includes("everything")) pick = Object.keys(all);
    return pick
      .filter((s) => s in all)
      .map((s) => [`# ${s[0]?.toUpperCase()}${s.slice(1)}`, ...(all[s] ?? [])].join("\r\n"))
      .join("\r\n\r\n")
      .concat("\r\n");
  }

  return {
    kind: /** @type {const} */ ("memory"),
    describe: () => "embedded in-memory store (ioredis-mock)",
    /** @returns {Promise<Outcome>} */
    exec: (/** @type {Array<string | Buffer>} */ args) =>
      exclusive(() => run(args.map((a) => (typeof a === "string" ? a : a.toString("utf8"))))),
    /** Not atomic, like an Upstash pipeline: other requests may run between items. */
    pipeline: (/** @type {string[][]} */ commands) => Promise.all(commands.map((args) => exclusive(() => run(args)))),
    /**
     * Atomic. As with MULTI, a malformed command (unknown, wrong arity) discards the whole batch.
     * @returns {Promise<Outcome[] | { error: string }>}
     */
    multiExec: (/** @type {string[][]} */ commands) =>
      exclusive(async () => {
        for (const [i, args] of commands.entries()) {
          const invalid = malformed(args, String(args[0]).toLowerCase(), false);
          if (invalid)
            return {
              error: `EXECABORT Transaction discarded because of previous errors. (command ${i + 1}: ${invalid})`,
            };
        }
        /** @type {Outcome[]} */
        const results = [];
        for (const args of commands) results.push(await run(args));
        return results;
      }),
    async close() {
      clearInterval(sweep);
      await exclusive(async () => {
        lua.close();
        await mock.flushall();
        mock.disconnect();
      });
    },
  };
}
