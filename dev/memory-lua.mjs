// Redis-compatible Lua scripting for the in-memory store: ioredis-mock's own EVAL bridge mistypes
// replies (numbers as args, no status tables, no cjson), so scripts run here on fengari instead.
import { createHash } from "node:crypto";
import { formatG, lauxlib, lua, lualib, to_jsstring, to_luastring } from "./fengari.mjs";
import { JSON_NULL, jsonDecode, jsonEncode, pushBitLibrary } from "./memory-lua-libs.mjs";

/** @typedef {string | number | null | Reply[]} Reply */
/** @typedef {{ result: Reply, status?: boolean } | { error: string }} Outcome */

export const sha1hex = (/** @type {string} */ text) => createHash("sha1").update(text).digest("hex");

const NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";
const KNOWN_FLAGS = new Set(["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]);
const CALL = {}; // marks the coroutine yields that are redis.call / redis.pcall
/** Commands a read-only script (EVAL_RO, EVALSHA_RO, `no-writes`) may not call, as Redis refuses them. */
const WRITES = new Set(
  (
    "set setnx setex psetex getset getdel getex append incr incrby incrbyfloat decr decrby mset msetnx del unlink " +
    "expire pexpire expireat pexpireat persist rename renamenx copy hset hsetnx hmset hdel hincrby hincrbyfloat " +
    "lpush rpush lpushx rpushx lpop rpop lset ltrim lrem linsert rpoplpush lmove sadd srem spop smove " +
    "zadd zrem zincrby zremrangebyrank zremrangebyscore zremrangebylex zpopmin zpopmax flushdb flushall"
  ).split(" "),
);

/**
 * redis.call / redis.pcall yield the command to the JS driver, which runs it against the store
 * (asynchronously) and resumes with (ok, reply or error text). They are JS functions, not Lua
 * ones, so a tail call `return redis.call(...)` keeps the script's frame for error line numbers.
 */
const redisCall = (/** @type {boolean} */ raise) => (/** @type {any} */ L) => {
  lua.lua_pushlightuserdata(L, CALL);
  lua.lua_insert(L, 1);
  return lua.lua_yieldk(L, lua.lua_gettop(L), raise ? 1 : 0, afterCall);
};

function afterCall(/** @type {any} */ L, /** @type {number} */ _status, /** @type {number} */ raise) {
  if (lua.lua_toboolean(L, 1)) return 1;
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushvalue(L, 2);
  lua.lua_setfield(L, -2, to_luastring("err"));
  return raise ? lua.lua_error(L) : 1;
}

// Runs once per engine. Locals keep working after _G is made read-only like Redis 7 does.
const PRELUDE = `
local redis_call, redis_pcall, sha1hex, json_encode, json_decode, json_null, bitop = ...
local rawget, type, error, raw_tostring = rawget, type, error, tostring
redis = { call = redis_call, pcall = redis_pcall }
function redis.error_reply(msg)
  if type(msg) ~= 'string' then error('wrong number or type of arguments', 2) end
  if msg:sub(1, 1) == '-' then msg = msg:sub(2) end
  if not msg:find(' ', 1, true) then msg = 'ERR ' .. msg end
  return { err = msg }
end
function redis.status_reply(msg)
  if type(msg) ~= 'string' then error('wrong number or type of arguments', 2) end
  return { ok = msg }
end
function redis.sha1hex(s) return sha1hex(raw_tostring(s)) end
-- Numbers print as Lua 5.1 would ("5", not "5.0"): concatenation already goes through %.14g.
tostring = function(v) if type(v) == 'number' then return v .. '' end return raw_tostring(v) end
function redis.log() end
function redis.setresp(v) if v ~= 2 then error('RESP3 is not supported by the in-memory store', 2) end end
function redis.set_repl() end
function redis.replicate_commands() return true end
function redis.breakpoint() return false end
function redis.debug() end
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.REDIS_VERSION, redis.REDIS_VERSION_NUM = '7.0.0', 458752
cjson = { encode = json_encode, decode = json_decode, null = json_null }
bit = bitop
unpack = table.unpack
loadstring = load
table.getn = function(t) return #t end
math.pow = function(x, y) return x ^ y end
math.mod = math.fmod
local floor, ceil = math.floor, math.ceil
math.floor = function(x) return floor(x) + 0.0 end
math.ceil = function(x) return ceil(x) + 0.0 end
-- Like Redis: no files, processes or modules from scripts.
os = { clock = os.clock }
io, package, require, dofile, loadfile = nil, nil, nil, nil, nil
local raw_pcall, pack, unpack_n = pcall, table.pack, table.unpack
pcall = function(...)
  local r = pack(raw_pcall(...))
  if not r[1] and type(r[2]) == 'table' and type(rawget(r[2], 'err')) == 'string' then r[2] = r[2].err end
  return unpack_n(r, 1, r.n)
end
setmetatable(_G, {
  __index = function(_, k) error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end,
  __newindex = function() error('Attempt to modify a readonly table', 2) end,
})
`;

/**
 * One Lua VM shared by all scripts of a store, like Redis. `call` runs a command against the
 * store; the caller must hold the store's lock for the whole of `eval`/`evalsha`.
 */
export class LuaEngine {
  /** @param {(args: string[]) => Promise<Outcome>} call */
  constructor(call) {
    this.call = call;
    /** @type {Map<string, number>} sha -> registry ref of the compiled chunk */
    this.scripts = new Map();
    /** @type {Set<string>} shas of scripts whose shebang says no-writes */
    this.noWrites = new Set();
    /** Whether the running script may only read. */
    this.readonly = false;
    this.L = lauxlib.luaL_newstate();
    lualib.luaL_openlibs(this.L);
    this.#runPrelude();
  }

  /** SCRIPT LOAD: compiles and caches; returns the sha or a compile error. */
  load(/** @type {string} */ script) {
    const sha = sha1hex(script);
    if (this.scripts.has(sha)) return { sha };
    const body = stripShebang(script);
    if ("error" in body) return body;
    const L = this.L;
    const code = to_luastring(body.code);
    if (lauxlib.luaL_loadbuffer(L, code, code.length, to_luastring("@user_script")) !== lua.LUA_OK) {
      const message = lua.lua_tojsstring(L, -1).replace(/near <eof>$/, "near '<eof>'");
      lua.lua_pop(L, 1);
      return { error: `ERR Error compiling script (new function): ${message}` };
    }
    this.scripts.set(sha, lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX));
    if (body.noWrites) this.noWrites.add(sha);
    return { sha };
  }

  exists(/** @type {string} */ sha) {
    return this.scripts.has(sha.toLowerCase());
  }

  flush() {
    for (const ref of this.scripts.values()) lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, ref);
    this.scripts.clear();
    this.noWrites.clear();
  }

  /** @returns {Promise<Outcome>} */
  async eval(
    /** @type {string} */ script,
    /** @type {string[]} */ keys,
    /** @type {string[]} */ argv,
    readonly = false,
  ) {
    const loaded = this.load(script);
    if ("error" in loaded) return loaded;
    return this.evalsha(loaded.sha, keys, argv, readonly);
  }

  /** @returns {Promise<Outcome>} */
  async evalsha(
    /** @type {string} */ sha,
    /** @type {string[]} */ keys,
    /** @type {string[]} */ argv,
    readonly = false,
  ) {
    const ref = this.scripts.get(sha.toLowerCase());
    if (ref === undefined) return { error: NOSCRIPT };
    this.readonly = readonly || this.noWrites.has(sha.toLowerCase());
    const L = this.L;
    lua.lua_pushglobaltable(L);
    for (const [name, values] of /** @type {const} */ ([
      ["KEYS", keys],
      ["ARGV", argv],
    ])) {
      lua.lua_pushstring(L, to_luastring(name));
      pushReply(L, values);
      lua.lua_rawset(L, -3);
    }
    lua.lua_pop(L, 1);
    const co = lua.lua_newthread(L);
    try {
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
      lua.lua_xmove(L, co, 1);
      let nargs = 0;
      for (;;) {
        const status = lua.lua_resume(co, L, nargs);
        if (status === lua.LUA_OK) return lua.lua_gettop(co) > 0 ? toReply(co, 1) : { result: null };
        if (status !== lua.LUA_YIELD || lua.lua_touserdata(co, 1) !== CALL) {
          // A failed coroutine's stack is unusable: read the error from the main state.
          const line = userLine(co);
          if (status !== lua.LUA_YIELD) lua.lua_xmove(co, L, 1);
          else lua.lua_pushstring(L, to_luastring("attempt to yield from outside a coroutine"));
          const error = scriptError(L, sha, line);
          lua.lua_pop(L, 1);
          return { error };
        }
        const outcome = await this.#redisCall(co);
        lua.lua_settop(co, 0);
        if ("error" in outcome) {
          lua.lua_pushboolean(co, false);
          lua.lua_pushstring(co, to_luastring(outcome.error));
        } else {
          lua.lua_pushboolean(co, true);
          if (outcome.status && typeof outcome.result === "string") pushStatus(co, outcome.result);
          else pushReply(co, outcome.result);
        }
        nargs = 2;
      }
    } finally {
      lua.lua_pop(L, 1);
    }
  }

  close() {
    this.flush();
    lua.lua_close(this.L);
  }

  /** @returns {Promise<Outcome>} */
  async #redisCall(/** @type {any} */ co) {
    const top = lua.lua_gettop(co);
    if (top < 2) return { error: "ERR Please specify at least one argument for this redis lib call" };
    if (this.readonly && WRITES.has(String(lua.lua_tojsstring(co, 2)).toLowerCase())) {
      return { error: "ERR Write commands are not allowed from read-only scripts." };
    }
    /** @type {string[]} */
    const args = [];
    for (let i = 2; i <= top; i++) {
      const type = lua.lua_type(co, i);
      if (type === lua.LUA_TSTRING) args.push(lua.lua_tojsstring(co, i));
      else if (type === lua.LUA_TNUMBER) args.push(luaNumberArg(co, i));
      else return { error: "ERR Lua redis lib command arguments must be strings or integers" };
    }
    return this.call(args);
  }

  #runPrelude() {
    const L = this.L;
    const code = to_luastring(PRELUDE);
    if (lauxlib.luaL_loadbuffer(L, code, code.length, to_luastring("=prelude")) !== lua.LUA_OK) {
      throw new Error(lua.lua_tojsstring(L, -1));
    }
    lua.lua_pushjsfunction(L, redisCall(true));
    lua.lua_pushjsfunction(L, redisCall(false));
    lua.lua_pushjsfunction(L, (/** @type {any} */ S) => {
      lua.lua_pushstring(S, to_luastring(sha1hex(lua.lua_tojsstring(S, 1))));
      return 1;
    });
    lua.lua_pushjsfunction(L, jsonEncode);
    lua.lua_pushjsfunction(L, jsonDecode);
    lua.lua_pushlightuserdata(L, JSON_NULL);
    pushBitLibrary(L);
    if (lua.lua_pcall(L, 7, 0, 0) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1));
  }
}

/** Validates the Redis 7 shebang and blanks it, keeping line numbers; of the flags, no-writes is enforced. */
function stripShebang(/** @type {string} */ script) {
  if (!script.startsWith("#!")) return { code: script };
  const end = script.indexOf("\n");
  const line = end === -1 ? script : script.slice(0, end);
  const [engine, ...options] = line.slice(2).trim().split(/\s+/);
  if (engine !== "lua") return { error: `ERR Unexpected engine in script shebang: ${engine}` };
  for (const option of options) {
    if (!option.startsWith("flags=")) return { error: `ERR Unknown lua shebang option: ${option}` };
    for (const flag of option.slice(6).split(",").filter(Boolean)) {
      if (!KNOWN_FLAGS.has(flag)) return { error: `ERR Unexpected flag in script shebang: ${flag}` };
    }
  }
  const noWrites = options.some((o) => o.slice(6).split(",").includes("no-writes"));
  return { code: end === -1 ? "" : script.slice(end), noWrites };
}

/** A Lua number as Redis passes it to a command: integers as-is, others with %.17g. */
function luaNumberArg(/** @type {any} */ L, /** @type {number} */ i) {
  const n = lua.lua_tonumber(L, i);
  return Number.isInteger(n) && Math.abs(n) < 2 ** 53 ? String(n) : formatG(n, 17);
}

/** Redis -> Lua: nil is false, arrays become tables, numbers are doubles. */
function pushReply(/** @type {any} */ L, /** @type {Reply} */ value) {
  if (value === null || value === undefined) lua.lua_pushboolean(L, false);
  else if (typeof value === "number") lua.lua_pushnumber(L, value);
  else if (typeof value === "string") lua.lua_pushstring(L, to_luastring(value));
  else if (Array.isArray(value)) {
    lua.lua_createtable(L, value.length, 0);
    value.forEach((item, i) => {
      pushReply(L, item);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else lua.lua_pushstring(L, to_luastring(String(value)));
}

function pushStatus(/** @type {any} */ L, /** @type {string} */ status) {
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushstring(L, to_luastring(status));
  lua.lua_setfield(L, -2, to_luastring("ok"));
}

/** Lua -> Redis: numbers truncate to integers, true is 1, false is nil, {err=} / {ok=} are error / status. */
function toReply(/** @type {any} */ L, /** @type {number} */ idx, depth = 0) {
  /** @type {Outcome} */
  const nil = { result: null };
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TNUMBER: {
      const n = lua.lua_tonumber(L, idx);
      return { result: Number.isFinite(n) ? Math.trunc(n) : -9223372036854775808 };
    }
    case lua.LUA_TSTRING:
      return { result: lua.lua_tojsstring(L, idx) };
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, idx) ? { result: 1 } : nil;
    case lua.LUA_TTABLE: {
      const table = lua.lua_absindex(L, idx);
      for (const field of ["err", "ok"]) {
        lua.lua_pushstring(L, to_luastring(field));
        lua.lua_rawget(L, table);
        const text = lua.lua_type(L, -1) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : null;
        lua.lua_pop(L, 1);
        if (text !== null) return field === "err" ? { error: text } : { result: text, status: true };
      }
      /** @type {Reply[]} */
      const items = [];
      for (let i = 1; depth < 1000; i++) {
        if (lua.lua_rawgeti(L, table, i) === lua.LUA_TNIL) {
          lua.lua_pop(L, 1);
          break;
        }
        const item = toReply(L, -1, depth + 1);
        lua.lua_pop(L, 1);
        // Redis keeps an error nested in an array as an error element; over REST it is its text.
        items.push("error" in item ? item.error : item.result);
      }
      return { result: items };
    }
    default:
      return nil;
  }
}

/** The script line being run when the coroutine stopped (the innermost user_script frame). */
function userLine(/** @type {any} */ co) {
  const ar = new lua.lua_Debug();
  for (let level = 0; lua.lua_getstack(co, level, ar); level++) {
    lua.lua_getinfo(co, to_luastring("Sl"), ar);
    if (ar.source && to_jsstring(ar.source) === "@user_script") return ar.currentline;
  }
  return -1;
}

/** Formats the uncaught error at the top of the stack the way Redis 7 does. */
function scriptError(/** @type {any} */ L, /** @type {string} */ sha, /** @type {number} */ line) {
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    lua.lua_getfield(L, -1, to_luastring("err"));
    const message = lua.lua_type(L, -1) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : "ERR unknown error";
    lua.lua_pop(L, 1);
    return `${message} script: ${sha}, on @user_script:${line}.`;
  }
  const message = lua.lua_type(L, -1) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : "unknown error";
  return `ERR ${message} script: ${sha}, on @user_script:${line}.`;
}
