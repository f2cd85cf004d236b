// Where ioredis-mock answers differently from Redis 7, the fix: arity and unknown-command errors,
// WRONGTYPE, integer checks, option keywords, ZADD / EXPIRE / SET options, TTL rounding, reply shapes.
import { createRequire } from "node:module";

/** @typedef {import("./memory-lua.mjs").Outcome} Outcome */
/** @typedef {{ [command: string]: any }} Mock an ioredis-mock instance */

const requireFromMock = createRequire(createRequire(import.meta.url).resolve("ioredis-mock"));
const redisCommands = requireFromMock("@ioredis/commands");
/** @type {Record<string, { arity: number }>} */
const COMMAND_TABLE = requireFromMock("@ioredis/commands/built/commands.json");

const words = (/** @type {string} */ s) => new Set(s.split(" "));
/** Commands whose first key must hold this type, else WRONGTYPE (ioredis-mock rarely checks). */
const KEY_TYPES = /** @type {const} */ ([
  ["string", words("get getex getdel getset getrange setrange append strlen incr incrby incrbyfloat decr decrby")],
  ["hash", words("hset hsetnx hget hmget hmset hgetall hdel hexists hincrby hincrbyfloat hkeys hvals hlen hstrlen")],
  ["list", words("lpush rpush lpushx rpushx lpop rpop lrange llen lindex lset ltrim lrem linsert lpos")],
  ["set", words("sadd srem smembers sismember smismember scard spop srandmember sscan")],
  [
    "zset",
    words(
      "zadd zrem zscore zincrby zcard zcount zrange zrangebyscore zrevrange zrevrangebyscore zrangebylex " +
        "zrevrangebylex zrank zrevrank zremrangebyscore zremrangebyrank zremrangebylex zpopmin zpopmax zmscore zscan",
    ),
  ],
]);
const STATUS_REPLIES = words("set setex psetex mset hmset rename flushdb flushall lset ltrim type ping select");
/** Redis deletes a collection when its last element goes; ioredis-mock keeps it, empty. */
const REMOVERS = words(
  "hdel lpop rpop ltrim lrem srem spop smove zrem zremrangebyscore zremrangebyrank zremrangebylex zpopmin zpopmax",
);
const SIZE_OF = /** @type {Record<string, string>} */ ({ list: "llen", hash: "hlen", set: "scard", zset: "zcard" });
/**
 * ioredis-mock only knows upper-case option keywords ("EX", not "ex"): per command, the index
 * where options start (after the command name) and how many values each keyword takes.
 * @type {Record<string, [number, Record<string, number>]>}
 */
const KEYWORDS = {
  set: [2, { nx: 0, xx: 0, get: 0, keepttl: 0, ex: 1, px: 1, exat: 1, pxat: 1 }],
  getex: [1, { persist: 0, ex: 1, px: 1, exat: 1, pxat: 1 }],
  zrange: [3, { withscores: 0, byscore: 0, bylex: 0, rev: 0, limit: 2 }],
  zrevrange: [3, { withscores: 0 }],
  zrangebyscore: [3, { withscores: 0, limit: 2 }],
  zrevrangebyscore: [3, { withscores: 0, limit: 2 }],
  zrangebylex: [3, { limit: 2 }],
  zrevrangebylex: [3, { limit: 2 }],
  scan: [1, { match: 1, count: 1, type: 1 }],
  sscan: [2, { match: 1, count: 1 }],
  hscan: [2, { match: 1, count: 1 }],
  zscan: [2, { match: 1, count: 1 }],
  lpos: [2, { rank: 1, count: 1, maxlen: 1 }],
};
const INTEGER = /^-?\d{1,19}$/;
const NOT_INTEGER = "ERR value is not an integer or out of range";

/** Redis's answer to an unknown command or a wrong argument count, or null when the call is well-formed. */
export function malformed(
  /** @type {string[]} */ args,
  /** @type {string} */ fullName,
  /** @type {boolean} */ fromScript,
) {
  const name = String(args[0]).toLowerCase();
  const arity = COMMAND_TABLE[name]?.arity;
  if (arity === undefined || !redisCommands.exists(name)) {
    if (fromScript) return "ERR Unknown Redis command called from script";
    const shown = args
      .slice(1, 4)
      .map((a) => `'${a}' `)
      .join("");
    return `ERR unknown command '${args[0]}', with args beginning with: ${shown}`;
  }
  if (arity > 0 ? args.length === arity : args.length >= -arity) return null;
  return fromScript
    ? "ERR Wrong number of args calling Redis command from script"
    : `ERR wrong number of arguments for '${fullName}' command`;
}

/**
 * Runs one command on ioredis-mock, answering itself where ioredis-mock would not answer like Redis.
 * @returns {Promise<Outcome>}
 */
export async function runOnMock(/** @type {Mock} */ mock, /** @type {string} */ name, /** @type {string[]} */ rest) {
  const fn = mock[name];
  if (typeof fn !== "function")
    return { error: `ERR '${name}' is not supported by the in-memory store; run redis-server` };
  for (const [type, commands] of KEY_TYPES) {
    if (!commands.has(name)) continue;
    const actual = await mock.type(rest[0]);
    if (actual !== "none" && actual !== type)
      return { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
  }
  let args = rest;
  switch (name) {
    case "ttl": {
      // Redis rounds the remaining milliseconds to the nearest second; ioredis-mock rounds up.
      const ms = await mock.pttl(rest[0]);
      return { result: ms < 0 ? ms : Math.floor((ms + 500) / 1000) };
    }
    case "incr":
    case "decr":
    case "incrby":
    case "decrby":
    case "hincrby": {
      const current = name === "hincrby" ? await mock.hget(rest[0], rest[1]) : await mock.get(rest[0]);
      const by = name === "hincrby" ? rest[2] : rest[1];
      if ((current !== null && !INTEGER.test(current)) || (by !== undefined && !INTEGER.test(by))) {
        return { error: NOT_INTEGER };
      }
      break;
    }
    case "expire":
    case "pexpire":
    case "expireat":
    case "pexpireat": {
      const refused = await expireRefused(mock, name, rest);
      if (refused) return refused;
      args = rest.slice(0, 2);
      break;
    }
    case "set": {
      const invalid = setOptionsError(rest.slice(2));
      if (invalid) return { error: invalid };
      break;
    }
    case "zadd":
      return zadd(mock, rest);
  }
  const reply = await fn.apply(mock, upperCaseKeywords(name, args));
  if (REMOVERS.has(name)) await dropIfEmpty(mock, String(rest[0]));
  const status =
    STATUS_REPLIES.has(name) &&
    !(name === "set" && rest.some((a) => a.toLowerCase() === "get")) &&
    !(name === "ping" && rest.length > 0);
  return { result: normalize(reply), status };
}

/** Splits EVAL's "numkeys key... arg..." (after the script or sha). */
export function splitKeys(/** @type {string} */ count, /** @type {string[]} */ rest) {
  if (!INTEGER.test(count)) return { error: NOT_INTEGER };
  const n = Number(count);
  if (n < 0) return { error: "ERR Number of keys can't be negative" };
  if (n > rest.length) return { error: "ERR Number of keys can't be greater than number of args" };
  return { keys: rest.slice(0, n), argv: rest.slice(n) };
}

export function errorText(/** @type {unknown} */ error) {
  const message = error instanceof Error ? error.message : String(error);
  return /^[A-Z]{2,}[A-Z_]* /.test(message) ? message : `ERR ${message}`;
}

async function dropIfEmpty(/** @type {Mock} */ mock, /** @type {string} */ key) {
  const size = SIZE_OF[await mock.type(key)];
  if (size && (await mock[size](key)) === 0) await mock.del(key);
}

/** EXPIRE's integer check and its Redis 7 NX / XX / GT / LT options, which ioredis-mock ignores. */
async function expireRefused(
  /** @type {Mock} */ mock,
  /** @type {string} */ name,
  /** @type {string[]} */ [key = "", amount = "", ...options],
) {
  if (!INTEGER.test(amount)) return { error: NOT_INTEGER };
  const flags = options.map((o) => o.toLowerCase());
  const unknown = flags.find((f) => !["nx", "xx", "gt", "lt"].includes(f));
  if (unknown) return { error: `ERR Unsupported option ${unknown}` };
  if (flags.length === 0) return null;
  const current = await mock.pttl(key);
  if (current === -2) return { result: 0 };
  const now = Date.now();
  const n = Number(amount);
  const at = { expire: now + n * 1000, pexpire: now + n, expireat: n * 1000, pexpireat: n }[name] ?? now;
  const currentAt = current === -1 ? Infinity : now + current;
  const applies =
    (!flags.includes("nx") || current === -1) &&
    (!flags.includes("xx") || current !== -1) &&
    (!flags.includes("gt") || at > currentAt) &&
    (!flags.includes("lt") || at < currentAt);
  return applies ? null : { result: 0 };
}

/** ZADD with its NX / XX / GT / LT / CH / INCR options (ioredis-mock takes them for members). */
async function zadd(/** @type {Mock} */ mock, /** @type {string[]} */ [key = "", ...args]) {
  const flags = new Set();
  while (args.length && /^(nx|xx|gt|lt|ch|incr)$/i.test(args[0] ?? "")) flags.add(String(args.shift()).toLowerCase());
  if (args.length === 0 || args.length % 2 !== 0) return { error: "ERR syntax error" };
  if (flags.has("nx") && flags.has("xx")) return { error: "ERR XX and NX options at the same time are not compatible" };
  if ((flags.has("gt") && flags.has("lt")) || (flags.has("nx") && (flags.has("gt") || flags.has("lt")))) {
    return { error: "ERR GT, LT, and/or NX options at the same time are not compatible" };
  }
  if (flags.has("incr") && args.length !== 2)
    return { error: "ERR INCR option supports a single increment-element pair" };
  const scores = [];
  for (let i = 0; i < args.length; i += 2) {
    const score = parseScore(args[i] ?? "");
    if (score === null) return { error: "ERR value is not a valid float" };
    scores.push(score);
  }
  let added = 0;
  let changed = 0;
  /** @type {string | null} */
  let incremented = null;
  for (let i = 0; i < args.length; i += 2) {
    const member = args[i + 1] ?? "";
    const old = await mock.zscore(key, member);
    const previous = old === null ? null : Number(old);
    const score = /** @type {number} */ (scores[i / 2]) + (flags.has("incr") ? (previous ?? 0) : 0);
    const skip =
      previous === null
        ? flags.has("xx")
        : flags.has("nx") || (flags.has("gt") && !(score > previous)) || (flags.has("lt") && !(score < previous));
    if (skip) continue;
    await mock.zadd(key, String(score), member);
    if (previous === null) added++;
    else if (previous !== score) changed++;
    incremented = await mock.zscore(key, member);
  }
  if (flags.has("incr")) return { result: incremented };
  return { result: flags.has("ch") ? added + changed : added };
}

function upperCaseKeywords(/** @type {string} */ name, /** @type {string[]} */ rest) {
  const spec = KEYWORDS[name];
  if (!spec) return rest;
  const [start, keywords] = spec;
  const out = [...rest];
  for (let i = start; i < out.length; i++) {
    const keyword = String(out[i]).toLowerCase();
    const values = keywords[keyword];
    if (values === undefined) continue;
    out[i] = keyword.toUpperCase();
    i += values;
  }
  return out;
}

function parseScore(/** @type {string} */ text) {
  if (/^[+-]?inf$/i.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  const n = Number(text);
  return text.trim() === "" || Number.isNaN(n) ? null : n;
}

/** SET's EX / PX / EXAT / PXAT must be positive integers (ioredis-mock accepts anything). */
function setOptionsError(/** @type {string[]} */ options) {
  for (let i = 0; i < options.length; i++) {
    const option = String(options[i]).toLowerCase();
    if (["nx", "xx", "get", "keepttl"].includes(option)) continue;
    if (!["ex", "px", "exat", "pxat"].includes(option)) return "ERR syntax error";
    const value = options[++i];
    if (value === undefined) return "ERR syntax error";
    if (!INTEGER.test(value)) return NOT_INTEGER;
    if (Number(value) <= 0) return "ERR invalid expire time in 'set' command";
  }
  return null;
}

/** ioredis-mock replies -> RESP2 shapes: Buffers as strings, HGETALL objects flattened. */
function normalize(/** @type {unknown} */ value) {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString();
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "object") return Object.entries(value).flat().map(normalize);
  return String(value);
}
