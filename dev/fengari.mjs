// fengari (the Lua VM ioredis-mock ships), adjusted to read and print numbers as Redis's Lua 5.1.
import { createRequire } from "node:module";

// Redis embeds Lua 5.1, where every number is a double printed with %.14g ("5", "1e+20").
// fengari is Lua 5.3 with 32-bit integers: numerals and numeric strings are read as doubles here
// (no silent wrap-around of ms timestamps) and doubles print as Lua 5.1 does. fengari's VM calls
// these two through its module object, so replacing them applies everywhere.
const requireFromMock = createRequire(createRequire(import.meta.url).resolve("ioredis-mock"));
export const { lua, lauxlib, lualib, to_luastring, to_jsstring } = requireFromMock("fengari");
const lobject = requireFromMock("fengari/src/lobject.js");
const { luaS_bless } = requireFromMock("fengari/src/lstring.js");

if (!lobject.luaO_str2num.asLua51) {
  const str2num = lobject.luaO_str2num;
  const tostring = lobject.luaO_tostring;
  lobject.luaO_str2num = Object.assign(
    (/** @type {Uint8Array} */ s, /** @type {any} */ o) => {
      const end = str2num(s, o);
      if (end !== 0 && o.ttisinteger()) o.setfltvalue(o.value);
      return end;
    },
    { asLua51: true },
  );
  lobject.luaO_tostring = (/** @type {any} */ L, /** @type {any} */ o) => {
    if (o.ttisinteger()) return tostring(L, o);
    o.setsvalue(luaS_bless(L, to_luastring(formatG(o.value, 14))));
  };
}

/** C's printf("%.{precision}g"), which Redis uses to turn Lua numbers into strings. */
export function formatG(/** @type {number} */ value, /** @type {number} */ precision) {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const [mantissa, exp] = value.toExponential(precision - 1).split("e");
  const exponent = Number(exp);
  const trim = (/** @type {string} */ s) => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);
  if (exponent < -4 || exponent >= precision) {
    const digits = String(Math.abs(exponent)).padStart(2, "0");
    return `${trim(/** @type {string} */ (mantissa))}e${exponent < 0 ? "-" : "+"}${digits}`;
  }
  return trim(value.toFixed(precision - 1 - exponent));
}
