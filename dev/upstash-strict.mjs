// Upstash's documented limits and script rules, for the local REST endpoint's strict mode (its default), so that
// what production would refuse fails in tests too. Each number cites the page that documents it.

/** @typedef {{ maxRequestBytes: number, maxReplyBytes: number, maxKeyBytes: number, maxRecordBytes: number }} Limits */

/** @type {Limits} */
export const UPSTASH_LIMITS = {
  /**
   * "Your command exceeds the max request size which is 10MB for Free and Pay as you go databases"; taken as the
   * stricter 10,000,000 bytes. https://upstash.com/docs/redis/troubleshooting/max_request_size_exceeded
   */
  maxRequestBytes: 10_000_000,
  /**
   * The same page: "If you try to load all elements in the list with a single request then it can throw the
   * max-request-size-limit exception": a reply is held to the same limit.
   */
  maxReplyBytes: 10_000_000,
  /** "max key size limit, which is 32Kb". https://upstash.com/docs/redis/troubleshooting/max_key_size_exceeded */
  maxKeyBytes: 32 * 1024,
  /**
   * "max record size limit which is 100Mb for Free and Pay as you go databases": here, any single value sent.
   * https://upstash.com/docs/redis/troubleshooting/max_record_size_exceeded
   */
  maxRecordBytes: 100 * 1024 * 1024,
};

/** Commands whose first argument is not a key. */
const KEYLESS = new Set(
  (
    "ping echo info time dbsize flushdb flushall script eval eval_ro evalsha evalsha_ro command config client " +
    "memory publish pubsub select lastsave role readonly readwrite"
  ).split(" "),
);

/** Commands a script with `allow-key-locking` may not call: they need the whole database. */
const DATABASE_WIDE = ["flushdb", "flushall", "keys", "scan", "dbsize", "randomkey", "swapdb"];

/**
 * The first refusal Upstash would give this command, or null. `args` are the command's arguments as received.
 * @param {Array<string | Buffer>} args @param {Limits} limits @returns {string | null}
 */
export function refuseCommand(args, limits) {
  const name = String(args[0] ?? "").toLowerCase();
  for (const arg of args) {
    const size = typeof arg === "string" ? Buffer.byteLength(arg) : arg.length;
    if (size > limits.maxRecordBytes) return `ERR max single record size exceeded`;
  }
  /** @type {Array<string | Buffer>} */
  let keys = [];
  if (name.startsWith("eval")) {
    const n = Number(args[2]);
    keys = Number.isInteger(n) && n > 0 ? args.slice(3, 3 + n) : [];
  } else if (!KEYLESS.has(name) && args[1] !== undefined) keys = [args[1]];
  for (const key of keys) {
    const size = typeof key === "string" ? Buffer.byteLength(key) : key.length;
    if (size > limits.maxKeyBytes) {
      return `ERR max key size exceeded. Limit: ${limits.maxKeyBytes} bytes, Actual: ${size} bytes`;
    }
  }
  return null;
}

/** The error for a request body over the limit. @param {number} size @param {Limits} limits */
export function requestTooLarge(size, limits) {
  return `ERR max request size exceeded. Limit: ${limits.maxRequestBytes} bytes, Actual: ${size} bytes`;
}

/**
 * A reply as Upstash would send it: an error instead when its JSON is over the limit.
 * @param {{ result: unknown } | { error: string }} encoded @param {Limits} limits
 */
export function boundReply(encoded, limits) {
  if ("error" in encoded) return encoded;
  const size = Buffer.byteLength(JSON.stringify(encoded));
  return size > limits.maxReplyBytes
    ? { error: `ERR max request size exceeded. Limit: ${limits.maxReplyBytes} bytes, Actual: ${size} bytes (reply)` }
    : encoded;
}

/**
 * The body of a script with `allow-key-locking`, made to fail as on Upstash when it touches a key it did not pass
 * in KEYS ("With the flag set, every key the script touches must appear in KEYS, and commands that need
 * database-wide access, such as FLUSHDB, are rejected": https://upstash.com/docs/redis/commands/scripting/eval).
 * Every `redis.call`/`redis.pcall` goes through a check of its key (the first argument, as in every single-key
 * command; multi-key commands are checked on their first key only). The check is one line inserted before the
 * body's first line, so error line numbers shift by none: it shares that line.
 * @param {string} body the script after its shebang line
 */
export function checkDeclaredKeys(body) {
  // Per run: the declared keys as a set and two small closures; the rest only for a call off that set.
  const keyless = [...KEYLESS].map((c) => `["${c}"] = true`).join(", ");
  const wide = DATABASE_WIDE.map((c) => `["${c}"] = true`).join(", ");
  const prelude =
    "local __declared = {} for _, k in ipairs(KEYS) do __declared[k] = true end " +
    "local function __check(cmd, key) " +
    "if key ~= nil and __declared[key] then return end " +
    `local c = string.lower(tostring(cmd)) local keyless, wide = { ${keyless} }, { ${wide} } ` +
    "if wide[c] then error({ err = 'ERR ' .. c .. ' is not allowed in a script with allow-key-locking' }) end " +
    "if key ~= nil and not keyless[c] and not __declared[tostring(key)] then " +
    "error({ err = 'ERR script touched key ' .. tostring(key) .. ' not declared in KEYS (allow-key-locking: every key must be passed in KEYS)' }) end end " +
    "local function __call(cmd, key, ...) if not __declared[key] then __check(cmd, key) end return redis.call(cmd, key, ...) end " +
    "local function __pcall(cmd, key, ...) if not __declared[key] then __check(cmd, key) end return redis.pcall(cmd, key, ...) end ";
  return prelude + body.replace(/\bredis\.call\(/g, "__call(").replace(/\bredis\.pcall\(/g, "__pcall(");
}
