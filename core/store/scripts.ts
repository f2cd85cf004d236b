// The read and pin scripts, and the registry of every script the store runs. Each declares every key it touches
// in KEYS (Upstash, with `allow-key-locking`, refuses a script that touches any other key, and without the flag
// runs it under the database-wide lock: https://upstash.com/docs/redis/commands/scripting/eval), and the read-only
// ones say so (`no-writes`, run with EVALSHA_RO: https://upstash.com/docs/redis/commands/scripting/evalsha-ro).
import { INGEST_SCRIPT } from "./ingest-script.js";
import { lua, luaReturn, META, METAS_REPLY, READ_REPLY } from "./layout.js";

/** Entries one LRANGE inside the read script asks for (the byte budget stops it earlier when they are large). */
const LRANGE_CHUNK = 200;

/**
 * Reads a trace in bounded pieces. Returns (READ_REPLY) the meta hash (empty when the trace does not exist), its
 * TTL, the list's length, the latest notable positions, and segments `start, {entries}` of the ranges asked for,
 * read in order until the byte budget is spent (`complete` 0 then).
 */
export const READ_TRACE_SCRIPT = `#!lua flags=no-writes,allow-key-locking
local list_key = KEYS[1]               -- logs:{trace_id}
local meta_key = KEYS[2]               -- logs:{trace_id}:meta
local notable_key = KEYS[3]            -- logs:{trace_id}:notable
local budget = tonumber(ARGV[1])       -- bytes of entries this reply may carry
local notable_max = tonumber(ARGV[2])  -- latest notable positions to return (0: none)
-- ARGV[3..]: ranges as start, stop pairs (negative ones count from the end), read in order
local meta = redis.call('HGETALL', meta_key)
local ttl = redis.call('TTL', meta_key)
local length = redis.call('LLEN', list_key)
local notable = {}
if notable_max > 0 then notable = redis.call('LRANGE', notable_key, -notable_max, -1) end
local segments, complete = {}, 1
for i = 3, #ARGV - 1, 2 do
  if complete == 0 then break end
  local a, b = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  if a < 0 then a = math.max(0, length + a) end
  if b < 0 then b = length + b end
  b = math.min(b, length - 1)
  while a <= b and complete == 1 do
    local stop = math.min(b, a + ${LRANGE_CHUNK - 1})
    local taken = {}
    for _, item in ipairs(redis.call('LRANGE', list_key, a, stop)) do
      if #item > budget then
        complete = 0
        break
      end
      budget = budget - #item
      taken[#taken + 1] = item
    end
    if #taken > 0 then
      segments[#segments + 1] = a
      segments[#segments + 1] = taken
    end
    a = stop + 1
  end
end
${luaReturn(READ_REPLY)}
`;

/**
 * The meta hashes of the traces list_traces shows, each passed in KEYS (newest first). Returns (METAS_REPLY) one
 * flat hash per key (empty when expired) until the byte budget is spent (`complete` 0 then).
 */
export const METAS_SCRIPT = `#!lua flags=no-writes,allow-key-locking
local budget = tonumber(ARGV[1])  -- bytes of meta this reply may carry
local metas, complete = {}, 1
for _, key in ipairs(KEYS) do
  local flat = redis.call('HGETALL', key)
  local size = 0
  for _, v in ipairs(flat) do size = size + #v end
  if size > budget then
    complete = 0
    break
  end
  budget = budget - size
  metas[#metas + 1] = flat
end
${luaReturn(METAS_REPLY)}
`;

/** Sets or clears the pin and moves every key of the trace to the new TTL. Returns the TTL, or -2 when absent. */
export const PIN_SCRIPT = `#!lua flags=allow-key-locking
local meta = KEYS[2]              -- logs:{trace_id}:meta; KEYS[1], [3], [4]: the list, ids, notable
local itraces = KEYS[5]           -- idx:traces
local now = tonumber(ARGV[1])     -- ms
local until_ms = tonumber(ARGV[2]) -- keep until, ms; 0 unpins
local ttl = tonumber(ARGV[3])     -- the usual retention, s
local trace = ARGV[4]             -- the trace id, as idx:traces holds it
if redis.call('EXISTS', meta) == 0 then return -2 end
local keep = ttl
if until_ms > 0 then
  redis.call('HSET', meta, ${lua(META.pinnedUntil)}, until_ms)
  keep = math.max(ttl, math.ceil((until_ms - now) / 1000))
else
  redis.call('HDEL', meta, ${lua(META.pinnedUntil)})
end
for k = 1, 4 do redis.call('EXPIRE', KEYS[k], keep) end
redis.call('ZADD', itraces, 'XX', now, trace)
return keep
`;

export type ScriptName = "ingest" | "read" | "metas" | "pin";

/** Every script the store runs, and whether it only reads (run with EVALSHA_RO). */
export const SCRIPTS: Record<ScriptName, { source: string; readonly: boolean }> = {
  ingest: { source: INGEST_SCRIPT, readonly: false },
  read: { source: READ_TRACE_SCRIPT, readonly: true },
  metas: { source: METAS_SCRIPT, readonly: true },
  pin: { source: PIN_SCRIPT, readonly: false },
};
