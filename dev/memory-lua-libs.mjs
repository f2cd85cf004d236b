// The libraries Redis bundles for scripts, for the in-memory store: cjson and LuaBitOp ("bit").
import { formatG, lauxlib, lua, to_luastring } from "./fengari.mjs";

// cjson, as Redis bundles it: arrays are tables with keys 1..n, empty tables encode as {}.
export const JSON_NULL = {};

export function jsonEncode(/** @type {any} */ L) {
  try {
    lua.lua_pushstring(L, to_luastring(encodeValue(L, 1, 0)));
    return 1;
  } catch (error) {
    return raise(L, /** @type {Error} */ (error).message);
  }
}

function encodeValue(/** @type {any} */ L, /** @type {number} */ idx, /** @type {number} */ depth) {
  idx = lua.lua_absindex(L, idx);
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TNIL:
      return "null";
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, idx) ? "true" : "false";
    case lua.LUA_TNUMBER: {
      const n = lua.lua_tonumber(L, idx);
      if (!Number.isFinite(n)) throw new Error("Cannot serialise number: must not be NaN or Inf");
      return formatG(n, 14);
    }
    case lua.LUA_TSTRING:
      return JSON.stringify(lua.lua_tojsstring(L, idx)).replace(/\//g, "\\/");
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, idx) === JSON_NULL) return "null";
      throw new Error("Cannot serialise userdata: type not supported");
    case lua.LUA_TTABLE: {
      if (depth > 1000) throw new Error("Cannot serialise, excessive nesting (1001)");
      /** @type {(string | number)[]} */
      const keys = [];
      lua.lua_pushnil(L);
      while (lua.lua_next(L, idx) !== 0) {
        const keyType = lua.lua_type(L, -2);
        if (keyType === lua.LUA_TNUMBER) keys.push(lua.lua_tonumber(L, -2));
        else if (keyType === lua.LUA_TSTRING) keys.push(lua.lua_tojsstring(L, -2));
        else throw new Error("Cannot serialise table: table key must be a number or string");
        lua.lua_pop(L, 1);
      }
      if (keys.length === 0) return "{}";
      const max = Math.max(...keys.map((k) => (typeof k === "number" && Number.isInteger(k) && k >= 1 ? k : Infinity)));
      const out = [];
      if (max !== Infinity && max <= Math.max(10, keys.length * 2)) {
        for (let i = 1; i <= max; i++) {
          lua.lua_rawgeti(L, idx, i);
          out.push(encodeValue(L, -1, depth + 1));
          lua.lua_pop(L, 1);
        }
        return `[${out.join(",")}]`;
      }
      for (const key of keys) {
        if (typeof key === "number") lua.lua_pushnumber(L, key);
        else lua.lua_pushstring(L, to_luastring(key));
        lua.lua_rawget(L, idx);
        const name = typeof key === "number" ? formatG(key, 14) : key;
        out.push(`${JSON.stringify(name)}:${encodeValue(L, -1, depth + 1)}`);
        lua.lua_pop(L, 1);
      }
      return `{${out.join(",")}}`;
    }
    default:
      throw new Error("Cannot serialise value: type not supported");
  }
}

export function jsonDecode(/** @type {any} */ L) {
  let value;
  try {
    value = JSON.parse(lua.lua_tojsstring(L, 1));
  } catch (error) {
    return raise(L, `Expected value but found invalid token: ${/** @type {Error} */ (error).message}`);
  }
  pushJson(L, value);
  return 1;
}

function raise(/** @type {any} */ L, /** @type {string} */ message) {
  lua.lua_pushstring(L, to_luastring(message));
  return lua.lua_error(L);
}

function pushJson(/** @type {any} */ L, /** @type {unknown} */ value) {
  if (value === null) lua.lua_pushlightuserdata(L, JSON_NULL);
  else if (typeof value === "boolean") lua.lua_pushboolean(L, value);
  else if (typeof value === "number") lua.lua_pushnumber(L, value);
  else if (typeof value === "string") lua.lua_pushstring(L, to_luastring(value));
  else if (Array.isArray(value)) {
    lua.lua_createtable(L, value.length, 0);
    value.forEach((item, i) => {
      pushJson(L, item);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else {
    const entries = Object.entries(/** @type {object} */ (value));
    lua.lua_createtable(L, 0, entries.length);
    for (const [key, item] of entries) {
      pushJson(L, item);
      lua.lua_setfield(L, -2, to_luastring(key));
    }
  }
}

// LuaBitOp ("bit"), which Redis bundles: 32-bit signed results.
export function pushBitLibrary(/** @type {any} */ L) {
  const toBit = (/** @type {number} */ n) => Number(BigInt.asIntN(32, BigInt(Math.trunc(n) % 2 ** 32)));
  /** @type {Record<string, (args: number[]) => number>} */
  const ops = {
    tobit: ([a = 0]) => toBit(a),
    bnot: ([a = 0]) => ~toBit(a),
    band: (args) => args.reduce((x, y) => x & toBit(y), -1),
    bor: (args) => args.reduce((x, y) => x | toBit(y), 0),
    bxor: (args) => args.reduce((x, y) => x ^ toBit(y), 0),
    lshift: ([a = 0, n = 0]) => toBit(a) << (n & 31),
    rshift: ([a = 0, n = 0]) => (toBit(a) >>> (n & 31)) | 0,
    arshift: ([a = 0, n = 0]) => toBit(a) >> (n & 31),
  };
  lua.lua_createtable(L, 0, Object.keys(ops).length);
  for (const [name, op] of Object.entries(ops)) {
    lua.lua_pushjsfunction(L, (/** @type {any} */ S) => {
      const args = [];
      for (let i = 1; i <= lua.lua_gettop(S); i++) args.push(lauxlib.luaL_checknumber(S, i));
      lua.lua_pushnumber(S, op(args));
      return 1;
    });
    lua.lua_setfield(L, -2, to_luastring(name));
  }
}
