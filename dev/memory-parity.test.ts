// The in-memory store must answer like Redis 7: Lua scripts with known answers on both stores, then
// a long command sequence replayed on both with the replies compared byte for byte (JSON).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRedisServer, startRedisServer } from "./redis-server.mjs";
import { startUpstashRest } from "./upstash-rest.mjs";

type Rest = Awaited<ReturnType<typeof startUpstashRest>>;
type Command = (string | number)[];
const hasRedis = findRedisServer() !== null;
const stores: Record<string, Rest> = {};
let stopRedis: (() => Promise<void>) | undefined;

const send = async (rest: Rest, command: Command) => {
  const res = await fetch(rest.url, {
    method: "POST",
    headers: { authorization: `Bearer ${rest.token}` },
    body: JSON.stringify(command),
  });
  return res.json() as Promise<{ result?: unknown; error?: string }>;
};
const lua = (script: string, keys: string[] = [], argv: (string | number)[] = []): Command => [
  "EVAL",
  script,
  keys.length,
  ...keys,
  ...argv,
];

beforeAll(async () => {
  stores.memory = await startUpstashRest({ backend: { type: "memory" } });
  if (hasRedis) {
    const server = await startRedisServer({ port: 0 });
    stopRedis = server.stop;
    stores.redis = await startUpstashRest({ backend: { type: "redis", url: server.url } });
  }
});
afterAll(async () => {
  await Promise.all(Object.values(stores).map((s) => s.close()));
  await stopRedis?.();
});

// [what, setup commands, script, keys, argv, expected result]
const LUA_CASES: [string, Command[], string, string[], (string | number)[], unknown][] = [
  [
    "integers, strings, false/nil and nested tables",
    [],
    "return {1, 'a', {2, 'b', {false}}, false, 'x'}",
    [],
    [],
    [1, "a", [2, "b", [null]], null, "x"],
  ],
  ["floats truncate, true is 1, nil ends a table", [], "return {3.7, -3.7, true, 5, nil, 6}", [], [], [3, -3, 1, 5]],
  [
    "RPUSH, LRANGE, LLEN",
    [],
    "redis.call('RPUSH', KEYS[1], 'a', 'b', 'c'); return {redis.call('LLEN', KEYS[1]), redis.call('LRANGE', KEYS[1], 1, -1)}",
    ["l"],
    [],
    [3, ["b", "c"]],
  ],
  [
    "EXPIRE, PEXPIRE, TTL",
    [["SET", "e", "v"]],
    "return {redis.call('TTL', KEYS[1]), redis.call('EXPIRE', KEYS[1], 100), redis.call('TTL', KEYS[1]), redis.call('PEXPIRE', KEYS[1], 5000), redis.call('TTL', KEYS[1]), redis.call('TTL', 'none')}",
    ["e"],
    [],
    [-1, 1, 100, 1, 5, -2],
  ],
  [
    "HSET, HSETNX, HINCRBY, HGET, HMGET, HGETALL",
    [],
    "redis.call('HSET', KEYS[1], 'a', 1, 'b', 2.5); return {redis.call('HSETNX', KEYS[1], 'a', 9), redis.call('HSETNX', KEYS[1], 'c', 'x'), redis.call('HINCRBY', KEYS[1], 'a', 41), redis.call('HGET', KEYS[1], 'b'), redis.call('HMGET', KEYS[1], 'a', 'zz', 'c'), redis.call('HGETALL', KEYS[1])}",
    ["h"],
    [],
    [0, 1, 42, "2.5", ["42", null, "x"], ["a", "42", "b", "2.5", "c", "x"]],
  ],
  [
    "SADD, SISMEMBER",
    [],
    "return {redis.call('SADD', KEYS[1], 'a', 'b', 'a'), redis.call('SISMEMBER', KEYS[1], 'a'), redis.call('SISMEMBER', KEYS[1], 'q')}",
    ["s"],
    [],
    [2, 1, 0],
  ],
  [
    "ZADD, ZSCORE, ZCARD, ZREVRANGEBYSCORE",
    [],
    "redis.call('ZADD', KEYS[1], 1, 'a', 2, 'b', 3, 'c'); return {redis.call('ZSCORE', KEYS[1], 'b'), redis.call('ZSCORE', KEYS[1], 'zz'), redis.call('ZCARD', KEYS[1]), redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', '-inf', 'WITHSCORES'), redis.call('ZREVRANGEBYSCORE', KEYS[1], 3, '(1', 'LIMIT', 0, 1)}",
    ["z"],
    [],
    ["2", null, 3, ["c", "3", "b", "2", "a", "1"], ["c"]],
  ],
  [
    "ZREM, ZREMRANGEBYSCORE, ZREMRANGEBYRANK; an emptied key is gone",
    [["ZADD", "z2", 1, "a", 2, "b", 3, "c", 4, "d"]],
    "return {redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(2'), redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0), redis.call('ZREM', KEYS[1], 'c', 'zz'), redis.call('ZREM', KEYS[1], 'd'), redis.call('EXISTS', KEYS[1])}",
    ["z2"],
    [],
    [1, 1, 1, 1, 0],
  ],
  [
    "INCRBY, GET, SET EX NX, DEL, EXISTS",
    [],
    "local n = redis.call('INCRBY', KEYS[1], 5); local first = redis.call('SET', KEYS[2], n + 1, 'EX', 10, 'NX'); local second = redis.call('SET', KEYS[2], 'x', 'EX', 10, 'NX'); return {n, first, second, redis.call('GET', KEYS[2]), redis.call('EXISTS', KEYS[1], KEYS[2], 'none'), redis.call('DEL', KEYS[1], 'none'), redis.call('GET', 'none')}",
    ["n", "m"],
    [],
    [5, "OK", null, "6", 2, 1, null],
  ],
  [
    "numbers as arguments: doubles, not 32-bit integers",
    [],
    "local ms = tonumber(ARGV[1]) * 1000; redis.call('SET', KEYS[1], ms); redis.call('SET', 'f', 10 / 4); return {redis.call('GET', KEYS[1]), redis.call('GET', 'f'), tostring(10 / 2), 'x' .. (2 ^ 53), ms}",
    ["ms"],
    ["1700000000"],
    ["1700000000000", "2.5", "5", "x9.007199254741e+15", 1700000000000],
  ],
  [
    "status replies are tables; pcall returns errors",
    [["HSET", "wrong", "a", "1"]],
    "local s = redis.call('SET', KEYS[1], 'v'); local e = redis.pcall('INCR', 'wrong'); local ok, m = pcall(redis.call, 'INCR', 'wrong'); return {type(s), s.ok, e.err, tostring(ok), m}",
    ["st"],
    [],
    [
      "table",
      "OK",
      "WRONGTYPE Operation against a key holding the wrong kind of value",
      "false",
      "WRONGTYPE Operation against a key holding the wrong kind of value",
    ],
  ],
  [
    "cjson",
    [],
    "local t = cjson.decode(ARGV[1]); return {cjson.encode({1, 'a/b', {x = 1}}), t.a[2], t.a[3] == cjson.null, tostring(t.a[1]), cjson.encode({})}",
    [],
    ['{"a":[1,"two",null]}'],
    ['[1,"a\\/b",{"x":1}]', "two", 1, "1", "{}"],
  ],
  [
    "the allow-key-locking shebang",
    [["SET", "sk", "v"]],
    "#!lua flags=allow-key-locking\nreturn redis.call('GET', KEYS[1])",
    ["sk"],
    [],
    "v",
  ],
];

// [what, script, expected error]
const LUA_ERRORS: [string, string, RegExp][] = [
  [
    "a failing redis.call names the script line",
    "local x = 1\nreturn redis.call('INCR', 'wrong')",
    /^WRONGTYPE Operation against .* script: [0-9a-f]{40}, on @user_script:2\.$/,
  ],
  ["error() with a string", "error('custom')", /^ERR user_script:1: custom script: [0-9a-f]{40}, on @user_script:1\.$/],
  ["redis.error_reply", "return redis.error_reply('boom')", /^ERR boom$/],
  [
    "reading an undefined global",
    "return nosuch",
    /^ERR user_script:1: Script attempted to access nonexistent global variable 'nosuch' script: /,
  ],
  ["writing a global", "y = 1", /^ERR user_script:1: Attempt to modify a readonly table script: /],
  [
    "an unknown command",
    "return redis.call('nosuchcommand')",
    /^ERR Unknown Redis command called from script script: /,
  ],
  ["wrong arity", "return redis.call('GET')", /^ERR Wrong number of args calling Redis command from script script: /],
  [
    "a table argument",
    "return redis.call('SET', 'k', {})",
    /^ERR Lua redis lib command arguments must be strings or integers script: /,
  ],
  [
    "a compile error",
    "return 1 +",
    /^ERR Error compiling script \(new function\): user_script:1: unexpected symbol near '<eof>'$/,
  ],
];

describe("Lua scripts answer like Redis 7", () => {
  for (const name of ["memory", ...(hasRedis ? ["redis"] : [])]) {
    it(`returns the expected values on ${name}`, async () => {
      const rest = stores[name] as Rest;
      await send(rest, ["FLUSHDB"]);
      const mismatches = [];
      for (const [what, setup, script, keys, argv, expected] of LUA_CASES) {
        for (const command of setup) await send(rest, command);
        const reply = await send(rest, lua(script, keys, argv));
        if (JSON.stringify(reply) !== JSON.stringify({ result: expected })) mismatches.push({ what, reply, expected });
      }
      expect(mismatches).toEqual([]);
    });

    it(`reports script errors like Redis on ${name}`, async () => {
      const rest = stores[name] as Rest;
      await send(rest, ["HSET", "wrong", "a", "1"]);
      for (const [what, script, expected] of LUA_ERRORS) {
        expect({ what, error: (await send(rest, lua(script))).error }).toEqual({
          what,
          error: expect.stringMatching(expected),
        });
      }
    });
  }
});

// Replayed on both stores; replies must be identical (KEYS/SCAN/SMEMBERS sorted: Redis does not order them).
const SEQUENCE: Command[] = [
  ["SET", "s", "v"],
  ["GET", "s"],
  ["SET", "s", "w", "nx"],
  ["SET", "t", "1", "ex", "100", "NX"],
  ["TTL", "t"],
  ["PTTL", "nope"],
  ["TTL", "s"],
  ["SET", "t", "2", "XX", "GET"],
  ["GETDEL", "t"],
  ["INCRBY", "u", "10"],
  ["INCR", "u"],
  ["DECRBY", "u", "3"],
  ["INCR", "s"],
  ["INCRBY", "u", "x"],
  ["APPEND", "s", "xyz"],
  ["STRLEN", "s"],
  ["MSET", "m1", "1", "m2", "2"],
  ["MGET", "m1", "m2", "nope"],
  ["SET", "x", "1", "EX", "0"],
  ["SET", "x", "1", "EX", "y"],
  ["RPUSH", "l", "a", "b", "c"],
  ["LPUSH", "l", "z"],
  ["LRANGE", "l", "0", "-1"],
  ["LLEN", "l"],
  ["LINDEX", "l", "-1"],
  ["LPOP", "l"],
  ["RPOP", "l"],
  ["LTRIM", "l", "0", "0"],
  ["LRANGE", "l", "0", "-1"],
  ["LPOP", "l"],
  ["EXISTS", "l"],
  ["HSET", "h", "a", "1", "b", "2"],
  ["HSETNX", "h", "a", "9"],
  ["HGET", "h", "zz"],
  ["HMGET", "h", "a", "zz"],
  ["HINCRBY", "h", "a", "5"],
  ["HINCRBY", "h", "a", "x"],
  ["HGETALL", "h"],
  ["HGETALL", "nope"],
  ["HLEN", "h"],
  ["HDEL", "h", "b", "zz"],
  ["HEXISTS", "h", "a"],
  ["SADD", "st", "a", "b", "a"],
  ["SCARD", "st"],
  ["SREM", "st", "a", "q"],
  ["SMEMBERS", "st"],
  ["SREM", "st", "b"],
  ["EXISTS", "st"],
  ["ZADD", "z", "1", "a", "2", "b", "3", "c", "2.5", "d"],
  ["ZADD", "z", "NX", "10", "a"],
  ["ZADD", "z", "gt", "ch", "5", "a"],
  ["ZADD", "z", "XX", "1", "new"],
  ["ZADD", "z", "INCR", "1", "b"],
  ["ZADD", "z", "x", "a"],
  ["ZSCORE", "z", "a"],
  ["ZCARD", "z"],
  ["ZCOUNT", "z", "-inf", "+inf"],
  ["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "withscores"],
  ["ZREVRANGEBYSCORE", "z", "4", "(2", "limit", "0", "2"],
  ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
  ["ZREMRANGEBYSCORE", "z", "-inf", "(2.5"],
  ["ZREMRANGEBYRANK", "z", "0", "0"],
  ["ZREM", "z", "c", "zz"],
  ["ZRANGE", "z", "0", "-1"],
  ["EXISTS", "s", "h", "nope"],
  ["DEL", "m1", "nope"],
  ["EXPIRE", "h", "100"],
  ["TTL", "h"],
  ["PEXPIRE", "h", "50000"],
  ["TTL", "h"],
  ["EXPIRE", "h", "10", "GT"],
  ["EXPIRE", "h", "10", "LT"],
  ["TTL", "h"],
  ["EXPIRE", "h", "x"],
  ["EXPIRE", "nope", "10"],
  ["PERSIST", "h"],
  ["TTL", "h"],
  ["TYPE", "h"],
  ["TYPE", "z"],
  ["TYPE", "nope"],
  ["KEYS", "*"],
  ["DBSIZE"],
  ["PING"],
  ["PING", "hi"],
  ["SCAN", "0", "match", "*", "count", "100"],
  ["GET"],
  ["NOSUCH", "a"],
  ["HSET", "s", "a", "1"],
  ["LPUSH", "h", "x"],
  ["GET", "h"],
  ["ZADD", "h", "1", "x"],
  ["SADD", "h", "x"],
  ["EVALSHA", "0123456789012345678901234567890123456789", "0"],
  ["SCRIPT", "LOAD", "return 'loaded'"],
  ["SCRIPT", "EXISTS", "0123456789012345678901234567890123456789"],
  ["EVAL", "return 1", "2", "a"],
  ["EVAL", "return 1", "-1"],
  ["EVAL", "return #KEYS + #ARGV", "1", "a", "b", "c"],
];
const UNORDERED = new Set(["keys", "scan", "smembers"]);
const sortDeep = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortDeep).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : v;

describe.skipIf(!hasRedis)("the in-memory store against redis-server (skipped without redis-server on PATH)", () => {
  it("gives the same reply to every command of a long sequence", async () => {
    const { memory, redis } = stores as { memory: Rest; redis: Rest };
    await Promise.all([send(memory, ["FLUSHDB"]), send(redis, ["FLUSHDB"])]);
    const mismatches = [];
    for (const command of SEQUENCE) {
      const [fromRedis, fromMemory] = await Promise.all([send(redis, command), send(memory, command)]);
      const normalize = (r: { result?: unknown }) =>
        UNORDERED.has(String(command[0]).toLowerCase()) ? { ...r, result: sortDeep(r.result) } : r;
      if (JSON.stringify(normalize(fromRedis)) !== JSON.stringify(normalize(fromMemory))) {
        mismatches.push({ command, redis: fromRedis, memory: fromMemory });
      }
    }
    expect(mismatches).toEqual([]);
  });
});
