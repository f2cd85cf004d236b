// The ingest script: one EVALSHA per trace per request (one Redis command on the Upstash bill), with every limit
// decided atomically with the write, so no race can store more than a limit. Names come from layout.ts.
import { MAX_ENTRIES_PER_BATCH, MAX_DROP_REASONS_PER_WRITE } from "../limits.js";
import { DROP, INGEST_REPLY, lua, luaReturn, META, NOTABLE, RATE_GLOBAL_FIELD, RESERVED_LEVELS } from "./layout.js";

/** KEYS of the ingest script, in order (see the script's first lines). */
export const INGEST_KEYS = ["list", "meta", "ids", "notable", "traces", "errors", "rate", "rate_previous"] as const;
/** ARGV of the ingest script before the extra drops and the payload, in order. */
export const INGEST_ARGS = [
  "now",
  "ttl",
  "trace_limit",
  "global_limit",
  "window",
  "bucket",
  "trace",
  "index_ttl",
  "trace_index_max",
  "error_index_max",
  "quotas",
  "reserve",
  "max_entries",
  "max_bytes",
  "max_users",
  "n_extra",
] as const;

/** Items per Redis call where a list of items is spread (`unpack` has a fixed limit, about 8000 in Redis's Lua). */
const CHUNK = 1000;
/** Positions in KEYS and ARGV (1-based, as Lua reads them). */
const key = (name: (typeof INGEST_KEYS)[number]) => INGEST_KEYS.indexOf(name) + 1;
const arg = (name: (typeof INGEST_ARGS)[number]) => INGEST_ARGS.indexOf(name) + 1;
const reserved = RESERVED_LEVELS.map((level) => `${level} = true`).join(", ");
const f = (name: keyof typeof META) => lua(META[name]);

/**
 * Appends the kept entries to the trace's list, one JSON entry per element (`LRANGE logs:{id} 0 -1` returns
 * entries). Every size is checked before the first write, and each key gets its TTL right after the call that may
 * create it, so even a failure half-way cannot leave a key that never expires. A write that keeps nothing
 * creates no key and grows no index: its drops are recorded on the trace's meta only when the trace exists.
 * Redis calls per run are about 25 whatever the batch size.
 */
export const INGEST_SCRIPT = `#!lua flags=allow-key-locking
local list = KEYS[${key("list")}] -- logs:{trace_id}: one JSON entry per element
local meta = KEYS[${key("meta")}] -- logs:{trace_id}:meta (fields in core/store/layout.ts)
local ids = KEYS[${key("ids")}] -- logs:{trace_id}:ids: stored entry ids
local notable = KEYS[${key("notable")}] -- logs:{trace_id}:notable: positions of errors and warnings
local itraces = KEYS[${key("traces")}] -- idx:traces
local ierrors = KEYS[${key("errors")}] -- idx:errors
local rlcur = KEYS[${key("rate")}] -- rl:{window}: global and per-system counters of this window
local rlprev = KEYS[${key("rate_previous")}] -- rl:{window - 1}
local now = tonumber(ARGV[${arg("now")}]) -- receive time, ms
local ttl = tonumber(ARGV[${arg("ttl")}]) -- trace retention, s
local tlim = tonumber(ARGV[${arg("trace_limit")}]) -- entries per trace per window
local glim = tonumber(ARGV[${arg("global_limit")}]) -- entries per window, all traces
local window = tonumber(ARGV[${arg("window")}]) -- window length, ms
local bucket = tonumber(ARGV[${arg("bucket")}]) -- number of the current window
local trace = ARGV[${arg("trace")}] -- the trace id, as idx:traces holds it
local index_ttl = tonumber(ARGV[${arg("index_ttl")}]) -- index retention, s
local trace_max = tonumber(ARGV[${arg("trace_index_max")}]) -- traces kept in idx:traces
local error_max = tonumber(ARGV[${arg("error_index_max")}]) -- references kept in idx:errors
local quotas = ARGV[${arg("quotas")}] -- per-system quotas, 'browser-400.convex-300', or '-'
local reserve = tonumber(ARGV[${arg("reserve")}]) -- percent of every budget that only warn and error entries may use
local max_entries = tonumber(ARGV[${arg("max_entries")}]) -- entries one trace holds at most
local max_bytes = tonumber(ARGV[${arg("max_bytes")}]) -- bytes of entry JSON one trace holds at most
local max_users = tonumber(ARGV[${arg("max_users")}]) -- distinct users one trace's meta lists at most
local n_extra = tonumber(ARGV[${arg("n_extra")}]) -- drops decided before the store: (system, reason, count) each, then
local payload = ARGV[#ARGV] -- the batch (layout.ts PAYLOAD), the raw body of the REST call

-- Sizes first: nothing is written unless the whole run can complete.
if not n_extra or n_extra > ${MAX_DROP_REASONS_PER_WRITE + 1} or #ARGV ~= ${INGEST_ARGS.length + 1} + n_extra * 3 then
  return redis.error_reply('ERR ingest script: malformed arguments')
end
local weight = 1 - (now % window) / window
local function num(v) return tonumber(v) or 0 end
local is_reserved = { ${reserved} }
local notable_kind = { error = ${lua(NOTABLE.error)}, warn = ${lua(NOTABLE.warn)} }
-- What a budget allows an entry of this level: all of it for warn and error, the rest only the unreserved share.
local function ceiling(limit, lvl)
  if is_reserved[lvl] then return limit end
  return math.floor(limit * (100 - reserve) / 100)
end
-- Redis calls over a list of items, in chunks that unpack can spread. Returns the replies concatenated (tables),
-- or the last one (a number).
local function spread(cmd, key, items)
  if #items <= ${CHUNK} then return redis.call(cmd, key, unpack(items)) end
  local out, last = {}, nil
  for i = 1, #items, ${CHUNK} do
    last = redis.call(cmd, key, unpack(items, i, math.min(i + ${CHUNK - 1}, #items)))
    if type(last) == 'table' then for _, v in ipairs(last) do out[#out + 1] = v end end
  end
  if type(last) == 'table' then return out end
  return last
end

local quota = {}
for sys, n in string.gmatch(quotas, '([%w_]+)%-(%d+)') do quota[sys] = tonumber(n) end

-- Drop counters by meta field.
local drops, has_drops = {}, false
local function drop(field, n)
  drops[field] = (drops[field] or 0) + n
  has_drops = true
end
for i = 0, n_extra - 1 do
  local b = ${INGEST_ARGS.length + 1} + i * 3
  drop(${f("drop")} .. ARGV[b] .. ':' .. ARGV[b + 1], num(ARGV[b + 2]))
end

-- The payload: plain finds (memchr in C), so no entry's JSON goes through Lua's pattern matcher.
local find, sub, pos = string.find, string.sub, 1
local function line()
  local e = find(payload, '\\n', pos, true)
  local v = sub(payload, pos, (e or 0) - 1)
  pos = e and e + 1 or #payload + 2
  return v
end
-- Heads in parallel arrays, with per-system and per-level counts and repeats within the batch.
local n, repeats = 0, false
local bid, bsys, blvl, buser, first = {}, {}, {}, {}, {}
local systems, levels, cnt_sys, cnt_lvl, busers, seen_user = {}, {}, {}, {}, {}, {}
for id, sys, lvl, user in string.gmatch(line(), '([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t') do
  n = n + 1
  bid[n], bsys[n], blvl[n], buser[n] = id, sys, lvl, user
  if first[id] then repeats = true else first[id] = true end
  local c = cnt_sys[sys]
  if c then cnt_sys[sys] = c + 1 else
    cnt_sys[sys] = 1
    systems[#systems + 1] = sys
  end
  c = cnt_lvl[lvl]
  if c then cnt_lvl[lvl] = c + 1 else
    cnt_lvl[lvl] = 1
    levels[#levels + 1] = lvl
  end
  if user ~= '' and not seen_user[user] then
    seen_user[user] = true
    busers[#busers + 1] = user
  end
end
if n == 0 or n > ${MAX_ENTRIES_PER_BATCH} then return redis.error_reply('ERR ingest script: 1 to ${MAX_ENTRIES_PER_BATCH} entries') end
-- Then one error reference per entry at level error, in order, and one entry per line.
local refs = {}
for k = 1, n do
  if blvl[k] == 'error' then refs[k] = line() end
end
local jsons, jsons_bytes = {}, 0
for k = 1, n do
  local json = line()
  jsons[k], jsons_bytes = json, jsons_bytes + #json
end
if pos <= #payload + 1 or jsons[n] == '' then return redis.error_reply('ERR ingest script: payload does not match its heads') end

-- Every counter this batch can move, read in one call per hash; then the stored-id check.
local tcur_f = ${f("rate")} .. bucket
local want = {
  tcur_f, ${f("rate")} .. (bucket - 1), ${f("pinnedUntil")}, ${f("firstSeen")}, ${f("count")}, ${f("errors")},
  ${f("bytes")}, ${f("userCount")},
}
local FIXED = #want
for _, sys in ipairs(systems) do want[#want + 1] = ${f("system")} .. sys end
for _, lvl in ipairs(levels) do want[#want + 1] = ${f("level")} .. lvl end
for _, user in ipairs(busers) do want[#want + 1] = ${f("user")} .. user end
local m = spread('HMGET', meta, want)
local user_count, known_user = num(m[8]), {}
for i, user in ipairs(busers) do known_user[user] = m[FIXED + #systems + #levels + i] ~= false end
local tcur, tprev, pinned, exists = num(m[1]), num(m[2]), tonumber(m[3]), m[4] ~= false
local count, bytes = num(m[5]), num(m[7])
local cur = spread('HMGET', rlcur, { ${lua(RATE_GLOBAL_FIELD)}, unpack(systems) })
local prev = spread('HMGET', rlprev, { ${lua(RATE_GLOBAL_FIELD)}, unpack(systems) })
local gcur, gprev, scur, sprev = num(cur[1]), num(prev[1]), {}, {}
for k, sys in ipairs(systems) do
  scur[sys], sprev[sys] = num(cur[k + 1]), num(prev[k + 1])
end
-- Ids already stored are retries, not new entries.
local stored = spread('SMISMEMBER', ids, bid)

local kept, pushed, new_ids, mark_rank, mark_kind = {}, {}, {}, {}, {}
local by_sys, by_lvl, users, fields = {}, {}, {}, {}
local accepted, duplicates, dropped_trace, dropped_system, dropped_global, dropped_full = 0, 0, 0, 0, 0, 0
local added_bytes = 0
-- The common case: nothing stored before, no repeats, and the whole batch within the unreserved share of every
-- limit and the trace's caps. Then each entry would pass the checks below, so they are skipped.
local fits = not repeats and count + n <= max_entries and bytes + #payload <= max_bytes
  and tprev * weight + tcur + n <= ceiling(tlim, '') and gprev * weight + gcur + n <= ceiling(glim, '')
for k = 1, n do
  if not fits then break end
  if stored[k] == 1 then fits = false end
end
for _, sys in ipairs(systems) do
  local q = quota[sys] or 0
  if q > 0 and sprev[sys] * weight + scur[sys] + cnt_sys[sys] > ceiling(q, '') then fits = false end
end
-- Users already listed are not written again; past max_users new ones are not listed.
local users_before = user_count
local function add_user(user)
  if user ~= '' and not users[user] then
    users[user] = true
    if not known_user[user] and user_count < max_users then
      user_count = user_count + 1
      fields[#fields + 1] = ${f("user")} .. user
      fields[#fields + 1] = 1
    end
  end
end
if fits then
  -- Stored as sent: no per-entry decisions.
  pushed, new_ids, accepted, added_bytes, by_sys, by_lvl = jsons, bid, n, jsons_bytes, cnt_sys, cnt_lvl
  tcur, gcur = tcur + n, gcur + n
  for k = 1, n do
    local kind = notable_kind[blvl[k]]
    if kind then
      mark_rank[#mark_rank + 1], mark_kind[#mark_kind + 1] = k, kind
    end
    add_user(buser[k])
  end
end
local in_batch = {}
for k = 1, n do
  if fits then break end
  local id, sys, lvl, json = bid[k], bsys[k], blvl[k], jsons[k]
  local q = quota[sys] or 0
  if stored[k] == 1 or in_batch[id] then
    duplicates = duplicates + 1
  elseif count + accepted + 1 > max_entries or bytes + added_bytes + #json > max_bytes then
    dropped_full = dropped_full + 1
    drop(${f("drop")} .. sys .. ':' .. ${lua(DROP.traceFull)}, 1)
  elseif tprev * weight + tcur + 1 > ceiling(tlim, lvl) then
    dropped_trace = dropped_trace + 1
    drop(${f("drop")} .. sys .. ':' .. ${lua(DROP.rateLimitTrace)}, 1)
  elseif q > 0 and sprev[sys] * weight + scur[sys] + 1 > ceiling(q, lvl) then
    dropped_system = dropped_system + 1
    drop(${f("drop")} .. sys .. ':' .. ${lua(DROP.rateLimitSystem)}, 1)
  elseif gprev * weight + gcur + 1 > ceiling(glim, lvl) then
    dropped_global = dropped_global + 1
    drop(${f("drop")} .. sys .. ':' .. ${lua(DROP.rateLimitGlobal)}, 1)
  else
    kept[k], in_batch[id] = true, true
    tcur, gcur, scur[sys] = tcur + 1, gcur + 1, scur[sys] + 1
  end
  if kept[k] then
    accepted = accepted + 1
    new_ids[accepted], pushed[accepted] = id, json
    added_bytes = added_bytes + #json
    by_sys[sys] = (by_sys[sys] or 0) + 1
    by_lvl[lvl] = (by_lvl[lvl] or 0) + 1
    local kind = notable_kind[lvl]
    if kind then
      mark_rank[#mark_rank + 1], mark_kind[#mark_kind + 1] = accepted, kind
    end
    add_user(buser[k])
  end
end

local keep = ttl
if pinned and pinned > now then keep = math.max(ttl, math.ceil((pinned - now) / 1000)) end
local n_errors = by_lvl['error'] or 0
if accepted > 0 then
  local length = spread('RPUSH', list, pushed)
  redis.call('EXPIRE', list, keep)
  spread('SADD', ids, new_ids)
  redis.call('EXPIRE', ids, keep)
  if #mark_rank > 0 then
    -- Positions in the list: the first entry of this write sits at its new length minus what it added.
    local base, marks = length - accepted - 1, {}
    for i, rank in ipairs(mark_rank) do marks[i] = mark_kind[i] .. ':' .. (base + rank) end
    spread('RPUSH', notable, marks)
    redis.call('EXPIRE', notable, keep)
  end
  fields[#fields + 1] = tcur_f
  fields[#fields + 1] = tcur
  fields[#fields + 1] = ${f("count")}
  fields[#fields + 1] = count + accepted
  fields[#fields + 1] = ${f("bytes")}
  fields[#fields + 1] = bytes + added_bytes
  if n_errors > 0 then
    fields[#fields + 1] = ${f("errors")}
    fields[#fields + 1] = num(m[6]) + n_errors
  end
  for i, sys in ipairs(systems) do
    if by_sys[sys] then
      fields[#fields + 1] = ${f("system")} .. sys
      fields[#fields + 1] = num(m[FIXED + i]) + by_sys[sys]
    end
  end
  for i, lvl in ipairs(levels) do
    if by_lvl[lvl] then
      fields[#fields + 1] = ${f("level")} .. lvl
      fields[#fields + 1] = num(m[FIXED + #systems + i]) + by_lvl[lvl]
    end
  end
  if user_count ~= users_before then
    fields[#fields + 1] = ${f("userCount")}
    fields[#fields + 1] = user_count
  end
  fields[#fields + 1] = ${f("lastSeen")}
  fields[#fields + 1] = now
  if not exists then
    fields[#fields + 1] = ${f("firstSeen")}
    fields[#fields + 1] = now
  end
  -- First write of this window: the counter of the window before last is no longer needed.
  if not m[1] then redis.call('HDEL', meta, ${f("rate")} .. (bucket - 2)) end
  local g = redis.call('HINCRBY', rlcur, ${lua(RATE_GLOBAL_FIELD)}, accepted)
  if g == accepted then redis.call('PEXPIRE', rlcur, window * 2 + 60000) end
  for sys, added in pairs(by_sys) do redis.call('HINCRBY', rlcur, sys, added) end
end
-- Drops are recorded with the trace; a write that stored nothing creates no meta (and below, no index entry).
if has_drops and (accepted > 0 or exists) then
  local names = {}
  for name in pairs(drops) do names[#names + 1] = name end
  local values = spread('HMGET', meta, names)
  for k, name in ipairs(names) do
    fields[#fields + 1] = name
    fields[#fields + 1] = num(values[k]) + drops[name]
  end
end
if #fields > 0 then
  spread('HSET', meta, fields)
  -- A write that stored nothing leaves the TTL as it is: the meta never outlives the entries it counts.
  if accepted > 0 then redis.call('EXPIRE', meta, keep) end
end
if accepted > 0 then
  -- The index is trimmed when it grows (a new trace), not on every write.
  if redis.call('ZADD', itraces, now, trace) == 1 then
    redis.call('EXPIRE', itraces, index_ttl)
    redis.call('ZREMRANGEBYSCORE', itraces, '-inf', now - index_ttl * 1000)
    redis.call('ZREMRANGEBYRANK', itraces, 0, -(trace_max + 1))
  end
end
if n_errors > 0 then
  -- Capped by count; readers ask for a time window, so older references are simply not read.
  local errors = {}
  for k = 1, n do
    if refs[k] and (fits or kept[k]) then
      errors[#errors + 1] = now
      errors[#errors + 1] = refs[k]
    end
  end
  spread('ZADD', ierrors, errors)
  redis.call('EXPIRE', ierrors, index_ttl)
  redis.call('ZREMRANGEBYRANK', ierrors, 0, -(error_max + 1))
end

local retry_after_s = 0
if dropped_trace + dropped_system + dropped_global > 0 then retry_after_s = math.ceil((window - now % window) / 1000) end
${luaReturn(INGEST_REPLY)}
`;
