#!/usr/bin/env node
// A local stand-in for Upstash's Redis REST API, so production code (@upstash/redis) runs unchanged
// against a local redis-server or an embedded in-memory store, with no account.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { boundReply, checkDeclaredKeys, refuseCommand, requestTooLarge, UPSTASH_LIMITS } from "./upstash-strict.mjs";

/** @typedef {{ type: "redis", url: string, poolSize?: number } | { type: "memory" }} BackendOptions */
/** @typedef {{ result: unknown } | { error: string }} Outcome */
/**
 * @typedef {object} RestStats
 * @property {number} commands Redis commands received, as Upstash bills them: a pipeline of N is N, an EVALSHA is 1.
 * @property {number} requests HTTP requests that passed authentication.
 * @property {Record<string, number>} byCommand commands received, by lower-case name.
 * @property {number} largestReplyBytes the largest response body sent, bytes (one command's or one pipeline's).
 * @property {() => void} reset zeroes the counters.
 */

/** Bodies read at most, in any mode (beyond it the connection is dropped). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Connection-state commands: meaningless over stateless HTTP (use /multi-exec for transactions). */
const STATEFUL = new Set([
  ...["multi", "exec", "discard", "watch", "unwatch", "select", "monitor", "sync", "psync", "quit", "reset"],
  ...["subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "hello", "auth"],
]);
const sha1 = (/** @type {string} */ s) => createHash("sha1").update(s).digest("hex");

/**
 * Starts the endpoint. `token` defaults to a random one; `port` 0 picks a free port. `strict` (default true)
 * enforces Upstash's documented limits (upstash-strict.mjs; pass some of them to lower them, e.g. in a test)
 * and its rule that a script with `allow-key-locking` touches only the keys in KEYS; `false` serves anything.
 * @param {{ backend: BackendOptions, port?: number, host?: string, token?: string,
 *   strict?: boolean | Partial<import("./upstash-strict.mjs").Limits> }} options
 */
export async function startUpstashRest({
  backend,
  port = 0,
  host = "127.0.0.1",
  token = randomBytes(24).toString("hex"),
  strict = true,
}) {
  const limits = strict ? { ...UPSTASH_LIMITS, ...(typeof strict === "object" ? strict : {}) } : null;
  const store =
    backend.type === "memory"
      ? (await import("./backend-memory.mjs")).createMemoryBackend()
      : await (await import("./backend-redis.mjs")).createRedisBackend(backend);
  const scripts = new ScriptShas(limits !== null);
  /** @type {RestStats} */
  const stats = {
    commands: 0,
    requests: 0,
    byCommand: {},
    largestReplyBytes: 0,
    reset() {
      stats.commands = 0;
      stats.requests = 0;
      stats.byCommand = {};
      stats.largestReplyBytes = 0;
    },
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) =>
      reply(stats, res, 500, { error: `ERR ${error instanceof Error ? error.message : error}` }),
    );
  });

  /** @param {import("node:http").IncomingMessage} req @param {import("node:http").ServerResponse} res */
  async function handle(req, res) {
    if (req.method === "OPTIONS") return reply(stats, res, 204, null);
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!authorized(req.headers.authorization, url.searchParams.get("_token"), token)) {
      return reply(stats, res, 401, { error: "Unauthorized" });
    }
    stats.requests++;
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const { body, size } = await readBody(req, limits?.maxRequestBytes ?? MAX_BODY_BYTES);
    if (limits && size > limits.maxRequestBytes)
      return reply(stats, res, 400, { error: requestTooLarge(size, limits) });
    const route = url.pathname.replace(/\/+$/, "") || "/";
    if (route === "/pipeline" || route === "/multi-exec") {
      const commands = parseJson(body);
      if (!Array.isArray(commands) || commands.length === 0 || !commands.every(isCommand)) {
        return reply(stats, res, 400, { error: "ERR send a JSON array of commands, each a non-empty array" });
      }
      const outcomes = await runBatch(commands, route === "/multi-exec");
      if (!Array.isArray(outcomes)) return reply(stats, res, 400, outcomes);
      return reply(
        stats,
        res,
        200,
        outcomes.map((o) => bounded(encode(o, base64))),
      );
    }
    const command = route === "/" ? parseJson(body) : pathCommand(route, body);
    if (!isCommand(command)) {
      return reply(stats, res, 400, { error: 'ERR failed to parse command: send a JSON array such as ["GET","key"]' });
    }
    const translated = check(scripts.translate(tally(stats, command.map(toArg))));
    const outcome = "error" in translated ? translated : translated.after(await store.exec(translated.args));
    const encoded = bounded(encode(outcome, base64));
    return reply(stats, res, "error" in encoded ? 400 : 200, encoded);
  }

  /** In strict mode, Upstash's refusal of a command before it runs. @param {ReturnType<ScriptShas["translate"]>} t */
  function check(t) {
    if (!limits || "error" in t) return t;
    const refused = refuseCommand(t.args, limits);
    return refused ? { error: refused } : t;
  }

  /** In strict mode, a reply over Upstash's size limit becomes its error. @param {Outcome} encoded */
  function bounded(encoded) {
    return limits ? boundReply(encoded, limits) : encoded;
  }

  /**
   * A pipeline (each command on its own) or a transaction (all or nothing for malformed commands).
   * @returns {Promise<Outcome[] | { error: string }>}
   */
  async function runBatch(/** @type {unknown[][]} */ commands, /** @type {boolean} */ atomic) {
    const translated = commands.map((c) => check(scripts.translate(tally(stats, c.map(toArg)))));
    const rejected = translated.find((t) => "error" in t);
    if (atomic && rejected) {
      return { error: `EXECABORT Transaction discarded because of previous errors. (${rejected.error})` };
    }
    const runnable = translated.flatMap((t) => ("args" in t ? [t.args] : []));
    const outcomes = atomic ? await store.multiExec(runnable) : await store.pipeline(runnable);
    if (!Array.isArray(outcomes)) return outcomes;
    let next = 0;
    return translated.map((t) => ("error" in t ? t : t.after(/** @type {Outcome} */ (outcomes[next++]))));
  }

  try {
    await new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve(undefined));
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  let closing;
  return {
    url,
    token,
    stats,
    /** "redis" or "memory" */
    kind: store.kind,
    describe: store.describe,
    /** Stops listening, drops open connections and closes the store. */
    close() {
      closing ??= (async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(() => resolve(undefined)));
        await store.close();
      })();
      return closing;
    },
  };
}

/**
 * Prepares each command for the store. Upstash accepts `#!lua flags=allow-key-locking`, open-source
 * Redis rejects the flag: scripts are sent without it, while clients keep using the sha1 of the text
 * they sent (SCRIPT LOAD, EVALSHA, SCRIPT EXISTS). Connection-state commands are refused.
 */
class ScriptShas {
  /** @type {Map<string, string>} client sha -> store sha */
  bySha = new Map();

  /** @param {boolean} strict whether `allow-key-locking` scripts are held to the keys they declare */
  constructor(strict) {
    this.strict = strict;
  }

  /** Arguments are strings, except a path-form body, which stays a Buffer. */
  /** @returns {{ args: Array<string | Buffer>, after: (o: Outcome) => Outcome } | { error: string }} */
  translate(/** @type {Array<string | Buffer>} */ args) {
    const name = String(args[0] ?? "").toLowerCase();
    const sub = String(args[1] ?? "").toLowerCase();
    /** @type {(o: Outcome) => Outcome} */
    let after = (o) => o;
    if (STATEFUL.has(name)) {
      return {
        error: `ERR ${name.toUpperCase()} is not available over the REST API (use /multi-exec for transactions)`,
      };
    }
    if ((name === "eval" || name === "eval_ro") && args[1] !== undefined) {
      args[1] = this.#rewrite(String(args[1]));
    } else if ((name === "evalsha" || name === "evalsha_ro") && args[1] !== undefined) {
      const sha = String(args[1]);
      args[1] = this.bySha.get(sha.toLowerCase()) ?? sha;
    } else if (name === "script" && sub === "load" && args[2] !== undefined) {
      const script = String(args[2]);
      const clientSha = sha1(script);
      args[2] = this.#rewrite(script);
      after = (o) => ("error" in o ? o : { result: clientSha });
    } else if (name === "script" && sub === "exists") {
      for (let i = 2; i < args.length; i++) args[i] = this.bySha.get(String(args[i]).toLowerCase()) ?? String(args[i]);
    } else if (name === "script" && sub === "flush") {
      after = (o) => {
        if (!("error" in o)) this.bySha.clear();
        return o;
      };
    }
    return { args, after };
  }

  #rewrite(/** @type {string} */ script) {
    const match = /^#!lua([^\n]*)/.exec(script);
    if (!match || !match[1]?.includes("allow-key-locking")) return script;
    const options = (match[1] ?? "")
      .trim()
      .split(/\s+/)
      .map((option) => {
        if (!option.startsWith("flags=")) return option;
        const flags = option
          .slice(6)
          .split(",")
          .filter((f) => f && f !== "allow-key-locking");
        return flags.length ? `flags=${flags.join(",")}` : "";
      })
      .filter(Boolean);
    const rest = script.slice(match[0].length);
    // The first line break stays where it was, so the body keeps its line numbers.
    const nl = /^\r?\n/.exec(rest)?.[0] ?? "";
    const body = this.strict ? nl + checkDeclaredKeys(rest.slice(nl.length)) : rest;
    const rewritten = `#!lua${options.length ? ` ${options.join(" ")}` : ""}${body}`;
    this.bySha.set(sha1(script), sha1(rewritten));
    return rewritten;
  }
}

/** Counts a received command, as Upstash bills it (rejected ones too). */
function tally(/** @type {RestStats} */ stats, /** @type {Array<string | Buffer>} */ args) {
  const name = String(args[0]).toLowerCase();
  stats.commands++;
  stats.byCommand[name] = (stats.byCommand[name] ?? 0) + 1;
  return args;
}

/** Every string in a reply, nested ones and status replies included, as base64 when asked; errors never. */
function encode(/** @type {Outcome} */ outcome, /** @type {boolean} */ base64) {
  if ("error" in outcome) return { error: outcome.error };
  /** @returns {unknown} */
  const walk = (/** @type {unknown} */ v) => {
    if (v === null || v === undefined) return null;
    if (v instanceof Error) return walk(v.message);
    if (Array.isArray(v)) return v.map(walk);
    if (Buffer.isBuffer(v)) return base64 ? v.toString("base64") : v.toString("utf8");
    if (typeof v === "string") return base64 ? Buffer.from(v, "utf8").toString("base64") : v;
    return v;
  };
  return { result: walk(outcome.result) };
}

/**
 * The path form: POST /set/key/value, a non-empty body being the last argument. The body stays bytes: Redis gets
 * it as sent, without a round trip through a JS string.
 */
function pathCommand(/** @type {string} */ route, /** @type {Buffer} */ body) {
  try {
    const command = route.slice(1).split("/").map(decodeURIComponent);
    return body.length > 0 ? [...command, body] : command;
  } catch {
    return undefined;
  }
}

const isCommand = (/** @type {unknown} */ c) =>
  Array.isArray(c) && c.length > 0 && (typeof c[0] === "string" || typeof c[0] === "number");
/** Upstash stringifies every argument: numbers and booleans arrive as JSON values. A path-form body stays bytes. */
const toArg = (/** @type {unknown} */ a) =>
  typeof a === "string" || Buffer.isBuffer(a)
    ? a
    : typeof a === "number" || typeof a === "boolean"
      ? String(a)
      : JSON.stringify(a);

function parseJson(/** @type {Buffer} */ body) {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

function authorized(
  /** @type {string | undefined} */ header,
  /** @type {string | null} */ queryToken,
  /** @type {string} */ token,
) {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1]?.trim() ?? queryToken ?? "";
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The body, and its size; past `keep` bytes the rest is counted, not kept (the caller refuses it).
 * @param {import("node:http").IncomingMessage} req @param {number} keep
 * @returns {Promise<{ body: Buffer, size: number }>}
 */
function readBody(req, keep) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on("data", (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
      } else if (size <= keep) chunks.push(chunk);
    });
    req.once("end", () =>
      resolve({ body: chunks.length === 1 ? /** @type {Buffer} */ (chunks[0]) : Buffer.concat(chunks), size }),
    );
    req.once("error", reject);
  });
}

/** @param {import("node:http").ServerResponse} res @param {number} status @param {unknown} body */
function reply(stats, res, status, body) {
  res.writeHead(status, {
    "content-type": "application/json",
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "authorization, content-type, upstash-encoding, upstash-sync-token",
  });
  const text = body === null ? "" : JSON.stringify(body);
  stats.largestReplyBytes = Math.max(stats.largestReplyBytes, Buffer.byteLength(text));
  res.end(text);
}

const USAGE = `Usage: node dev/upstash-rest.mjs (--redis-url redis://127.0.0.1:6379 | --memory) [--port 8079] [--host 127.0.0.1] [--token T]

Serves Upstash's Redis REST protocol locally, so @upstash/redis works without an account:
  POST /             one command as a JSON array: ["SET","k","v"]  (or the path form /set/k/v)
  POST /pipeline     an array of commands; per-item {result} or {error}
  POST /multi-exec   an array of commands, run atomically with MULTI/EXEC
  Header "Authorization: Bearer <token>"; "Upstash-Encoding: base64" base64-encodes string replies.
Scripts may start with Upstash's "#!lua flags=allow-key-locking"; the flag is dropped before Redis sees it.
Strict by default, as Upstash: requests and replies over 10 MB, keys over 32 KB and values over 100 MB fail, and a
script with allow-key-locking fails when it touches a key it did not pass in KEYS.

  --redis-url URL  use this Redis (node-redis connection pool)
  --memory         use the embedded in-memory store (ioredis-mock, Lua on fengari); no Redis needed
  --port N         port to listen on (default 8079; 0 picks a free one)
  --host H         address to bind (default 127.0.0.1)
  --token T        the bearer token clients must send (default: random, printed)
  --lenient        serve without Upstash's limits and key rules
`;

async function main() {
  const { values } = parseArgs({
    options: {
      "redis-url": { type: "string" },
      memory: { type: "boolean" },
      port: { type: "string", default: "8079" },
      host: { type: "string", default: "127.0.0.1" },
      token: { type: "string" },
      lenient: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || (!values["redis-url"] && !values.memory) || (values["redis-url"] && values.memory)) {
    process.stdout.write(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const backend = values.memory
    ? /** @type {const} */ ({ type: "memory" })
    : { type: /** @type {const} */ ("redis"), url: /** @type {string} */ (values["redis-url"]) };
  const rest = await startUpstashRest({
    backend,
    port: Number(values.port),
    host: values.host,
    ...(values.token ? { token: values.token } : {}),
    strict: !values.lenient,
  });
  console.log(`Upstash REST endpoint on ${rest.url} over ${rest.describe()}`);
  console.log(`  UPSTASH_REDIS_REST_URL=${rest.url}`);
  console.log(`  UPSTASH_REDIS_REST_TOKEN=${rest.token}`);
  const stop = () => {
    console.log(`\nstopping (${rest.stats.commands} commands served)`);
    rest.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
