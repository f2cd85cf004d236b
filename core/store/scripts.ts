// Lua scripts: each store operation is one EVALSHA, so one Redis command on the Upstash bill,
// and the limit checks run atomically with the write (no race can store more than a limit).
// `allow-key-locking` lets Upstash lock only the keys passed in KEYS instead of the database.

/**
 * KEYS: list, meta, ids, idx:traces, idx:errors, rl:current, rl:previous
 * ARGV[1]: the whole batch as one string, sent as the raw body of the REST call (see LogStore.writeTrace), so
 * nothing is JSON-escaped twice. Lines separated by "\n" (JSON never holds a raw newline), fields by tabs:
 *   1. now, ttl_s, trace_limit, global_limit, window_ms, bucket, trace_id, index_ttl_s, trace_index_max,
 *      error_index_max, quotas ("browser=400,convex=300");
 *   2. drops decided before the store: system, reason, count, system, reason, count, ... (or empty);
 *   3. per entry "id<TAB>system<TAB>level<TAB>user_id<TAB>" (user_id without tabs or line breaks), concatenated;
 *   then one line per entry with its JSON, then one line per entry at level error with its error reference.
 * Returns: { accepted, duplicates, dropped_trace, dropped_system, dropped_global, retry_after_s }
 * Redis calls per run are about 20 whatever the batch size (one SMISMEMBER, one RPUSH, one SADD, ...).
 */
export const INGEST_SCRIPT = `#!lua flags=allow-key-locking
local list, meta, ids, itraces, ierrors, rlcur, rlprev = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local find, sub, p, pos = string.find, string.sub, ARGV[1], 1
-- The next field, up to sep or the end of the payload. Plain find is a memchr in C: the entry JSON is never
-- scanned by Lua's pattern matcher, and is copied once.
local function field(sep)
  local e = find(p, sep, pos, true)
  local v = sub(p, pos, (e or 0) - 1)
  pos = e and e + 1 or #p + 2
  return v
end
local h = {}
for i = 1, 10 do h[i] = field('\\t') end
local now, ttl, tlim, glim = tonumber(h[1]), tonumber(h[2]), tonumber(h[3]), tonumber(h[4])
local window, bucket, trace = tonumber(h[5]), tonumber(h[6]), h[7]
local index_ttl, trace_max, error_max = tonumber(h[8]), tonumber(h[9]), tonumber(h[10])
local weight = 1 - (now % window) / window
local function num(v) return tonumber(v) or 0 end

local quota = {}
for sys, n in string.gmatch(field('\\n'), '([%w_]+)=(%d+)') do quota[sys] = tonumber(n) end

local incr = {}
local function add(name, n) incr[name] = (incr[name] or 0) + n end
local n_extra = 0
for sys, reason, count in string.gmatch(field('\\n'), '([^\\t]+)\\t([^\\t]+)\\t(%d+)') do
  add('drop:' .. sys .. ':' .. reason, tonumber(count))
  n_extra = n_extra + 1
end

-- Parse the heads once; read every counter and the stored-id check in a handful of calls.
local n = 0
local heads, batch_ids, systems, seen_sys = {}, {}, {}, {}
for id, sys, lvl, user in string.gmatch(field('\\n'), '([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t') do
  n = n + 1
  heads[n] = { id, sys, lvl, user }
  batch_ids[n] = id
  if not seen_sys[sys] then
    seen_sys[sys] = true
    systems[#systems + 1] = sys
  end
end
local jsons = {}
for k = 1, n do jsons[k] = field('\\n') end
local tcur_f, tprev_f = 'rl:' .. bucket, 'rl:' .. (bucket - 1)
local m = redis.call('HMGET', meta, tcur_f, tprev_f, 'pinned_until')
local tcur, tprev, pinned = num(m[1]), num(m[2]), tonumber(m[3])
local cur = redis.call('HMGET', rlcur, 'global', unpack(systems))
local prev = redis.call('HMGET', rlprev, 'global', unpack(systems))
local gcur, gprev, scur, sprev = num(cur[1]), num(prev[1]), {}, {}
for k, sys in ipairs(systems) do
  scur[sys], sprev[sys] = num(cur[k + 1]), num(prev[k + 1])
end
-- Ids already stored are retries, not new entries.
local stored = redis.call('SMISMEMBER', ids, unpack(batch_ids))

local pushed, new_ids, errors, sys_added, in_batch = {}, {}, {}, {}, {}
local fields = {}
local accepted, dups, d_trace, d_sys, d_glob = 0, 0, 0, 0, 0
for k = 1, n do
  local id, sys, lvl, user = heads[k][1], heads[k][2], heads[k][3], heads[k][4]
  local q, ok = quota[sys] or 0, false
  if stored[k] == 1 or in_batch[id] then
    dups = dups + 1
  elseif tprev * weight + tcur + 1 > tlim then
    d_trace = d_trace + 1
    add('drop:' .. sys .. ':rate_limit_trace', 1)
  elseif q > 0 and sprev[sys] * weight + scur[sys] + 1 > q then
    d_sys = d_sys + 1
    add('drop:' .. sys .. ':rate_limit_system', 1)
  elseif gprev * weight + gcur + 1 > glim then
    d_glob = d_glob + 1
    add('drop:' .. sys .. ':rate_limit_global', 1)
  else
    ok, in_batch[id] = true, true
    accepted = accepted + 1
    new_ids[accepted] = id
    pushed[accepted] = jsons[k]
    tcur, gcur, scur[sys] = tcur + 1, gcur + 1, scur[sys] + 1
    sys_added[sys] = (sys_added[sys] or 0) + 1
    add('count', 1)
    add('sys:' .. sys, 1)
    add('lvl:' .. lvl, 1)
    if lvl == 'error' then add('errors', 1) end
    if user ~= '' and not fields['user:' .. user] then
      fields['user:' .. user] = true
      fields[#fields + 1] = 'user:' .. user
      fields[#fields + 1] = 1
    end
  end
  if lvl == 'error' then
    -- One error reference per error entry follows the entries, in order; read even when the entry is dropped.
    local ref = field('\\n')
    if ok then
      errors[#errors + 1] = now
      errors[#errors + 1] = ref
    end
  end
end

if accepted > 0 then
  redis.call('RPUSH', list, unpack(pushed))
  redis.call('SADD', ids, unpack(new_ids))
  fields[#fields + 1] = tcur_f
  fields[#fields + 1] = tcur
  -- First write of this window: the counter of the window before last is no longer needed.
  if not m[1] then redis.call('HDEL', meta, 'rl:' .. (bucket - 2)) end
  local g = redis.call('HINCRBY', rlcur, 'global', accepted)
  for sys, added in pairs(sys_added) do redis.call('HINCRBY', rlcur, sys, added) end
  if g == accepted then redis.call('PEXPIRE', rlcur, window * 2 + 60000) end
end
if accepted > 0 or n_extra > 0 or d_trace + d_sys + d_glob > 0 then
  -- Counters are read once and written back with the other fields: two calls instead of one per counter.
  local names = {}
  for f in pairs(incr) do names[#names + 1] = f end
  local values = redis.call('HMGET', meta, unpack(names))
  for k, f in ipairs(names) do
    fields[#fields + 1] = f
    fields[#fields + 1] = num(values[k]) + incr[f]
  end
  fields[#fields + 1] = 'last_seen'
  fields[#fields + 1] = now
  redis.call('HSET', meta, unpack(fields))
  redis.call('HSETNX', meta, 'first_seen', now)
  local keep = ttl
  if pinned and pinned > now then keep = math.max(ttl, math.ceil((pinned - now) / 1000)) end
  redis.call('EXPIRE', meta, keep)
  if accepted > 0 then
    redis.call('EXPIRE', list, keep)
    redis.call('EXPIRE', ids, keep)
  end
  -- The index is trimmed when it grows (a new trace), not on every write.
  if redis.call('ZADD', itraces, now, trace) == 1 then
    redis.call('ZREMRANGEBYSCORE', itraces, '-inf', now - index_ttl * 1000)
    redis.call('ZREMRANGEBYRANK', itraces, 0, -(trace_max + 1))
    redis.call('EXPIRE', itraces, index_ttl)
  end
end
if #errors > 0 then
  -- Capped by count; readers ask for a time window, so older references are simply not read.
  redis.call('ZADD', ierrors, unpack(errors))
  redis.call('ZREMRANGEBYRANK', ierrors, 0, -(error_max + 1))
  redis.call('EXPIRE', ierrors, index_ttl)
end

local retry = 0
if d_trace + d_sys + d_glob > 0 then retry = math.ceil((window - now % window) / 1000) end
return { accepted, dups, d_trace, d_sys, d_glob, retry }
`;

/** KEYS: list, meta. Returns [entries[], flat meta hash, ttl seconds]. One command for a whole trace. */
export const READ_TRACE_SCRIPT = `local entries = redis.call('LRANGE', KEYS[1], 0, -1)
local meta = redis.call('HGETALL', KEYS[2])
local ttl = redis.call('TTL', KEYS[2])
return { entries, meta, ttl }
`;

/**
 * KEYS: idx:traces. ARGV: prefix, min_score, max_count.
 * Returns [trace_id, score, flat meta hash]* for the most recently active traces.
 */
export const LIST_TRACES_SCRIPT = `local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', ARGV[2], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for i = 1, #ids, 2 do
  local meta = redis.call('HGETALL', ARGV[1] .. 'logs:' .. ids[i] .. ':meta')
  if #meta > 0 then
    out[#out + 1] = ids[i]
    out[#out + 1] = ids[i + 1]
    out[#out + 1] = meta
  end
end
return out
`;

/**
 * KEYS: list, meta, ids, idx:traces. ARGV: now, pinned_until (0 = unpin), ttl_s, trace_id.
 * Returns the new TTL in seconds, or -2 when the trace does not exist.
 */
export const PIN_SCRIPT = `#!lua flags=allow-key-locking
if redis.call('EXISTS', KEYS[2]) == 0 then return -2 end
local now, until_ms, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local keep = ttl
if until_ms > 0 then
  redis.call('HSET', KEYS[2], 'pinned_until', until_ms)
  keep = math.max(ttl, math.ceil((until_ms - now) / 1000))
else
  redis.call('HDEL', KEYS[2], 'pinned_until')
end
for k = 1, 3 do redis.call('EXPIRE', KEYS[k], keep) end
redis.call('ZADD', KEYS[4], 'XX', now, ARGV[4])
return keep
`;
