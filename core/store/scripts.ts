// Lua scripts: each store operation is one EVALSHA, so one Redis command on the Upstash bill,
// and the limit checks run atomically with the write (no race can store more than a limit).
// `allow-key-locking` lets Upstash lock only the keys passed in KEYS instead of the database.

/**
 * KEYS: list, meta, ids, idx:traces, idx:errors, rl:current, rl:previous
 * ARGV: now, ttl_s, trace_limit, global_limit, window_ms, bucket, trace_id, index_ttl_s, trace_index_max,
 *       error_index_max, quotas ("browser-400.convex-300", or "-"), n_extra_drops, [system, reason, count]*,
 *       then the batch as the last argument: the raw body of the REST call (see LogStore.writeTrace), so no entry
 *       is JSON-escaped twice. Its lines, separated by "\n" (JSON never holds a raw newline):
 *   1. per entry "id<TAB>system<TAB>level<TAB>user_id<TAB>" (user_id without tabs or line breaks), concatenated;
 *   2. one line per entry at level error with its error reference, in order;
 *   3. the entries as a JSON array, one entry per line: "[json,", "json,", ..., "json]".
 * Each write appends one list element: that JSON array when every entry is kept (the common case), otherwise an
 * array of the entries kept.
 * Returns: { accepted, duplicates, dropped_trace, dropped_system, dropped_global, retry_after_s }
 * Redis calls per run are about 20 whatever the batch size (one SMISMEMBER, one RPUSH, one SADD, ...).
 */
export const INGEST_SCRIPT = `#!lua flags=allow-key-locking
local list, meta, ids, itraces, ierrors, rlcur, rlprev = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local now, ttl, tlim, glim = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local window, bucket, trace = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local index_ttl, trace_max, error_max = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local weight = 1 - (now % window) / window
local function num(v) return tonumber(v) or 0 end

local quota = {}
for sys, n in string.gmatch(ARGV[11], '([%w_]+)%-(%d+)') do quota[sys] = tonumber(n) end

-- Drop counters by meta field. Drops are rare: their fields are read only when there are some.
local drops, has_drops = {}, false
local function drop(field, n)
  drops[field] = (drops[field] or 0) + n
  has_drops = true
end
local n_extra = tonumber(ARGV[12])
for i = 0, n_extra - 1 do
  local b = 13 + i * 3
  drop('drop:' .. ARGV[b] .. ':' .. ARGV[b + 1], tonumber(ARGV[b + 2]))
end

-- The batch: plain finds (memchr in C), so no entry's JSON goes through Lua's pattern matcher.
local find, sub, p, pos = string.find, string.sub, ARGV[#ARGV], 1
local function line()
  local e = find(p, '\\n', pos, true)
  local v = sub(p, pos, (e or 0) - 1)
  pos = e and e + 1 or #p + 2
  return v
end
-- Heads in parallel arrays, with per-system and per-level counts and repeats within the batch.
local n, repeats = 0, false
local bid, bsys, blvl, buser, first = {}, {}, {}, {}, {}
local systems, levels, cnt_sys, cnt_lvl = {}, {}, {}, {}
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
end

-- Then one error reference per entry at level error, in order; the rest of the body is the entries' JSON array.
local refs = {}
for k = 1, n do
  if blvl[k] == 'error' then refs[k] = line() end
end
local section = sub(p, pos)

-- Every counter this batch can move, read in one call per hash; then the stored-id check.
local tcur_f = 'rl:' .. bucket
local want = { tcur_f, 'rl:' .. (bucket - 1), 'pinned_until', 'first_seen', 'count', 'errors' }
for _, sys in ipairs(systems) do want[#want + 1] = 'sys:' .. sys end
for _, lvl in ipairs(levels) do want[#want + 1] = 'lvl:' .. lvl end
local m = redis.call('HMGET', meta, unpack(want))
local tcur, tprev, pinned = num(m[1]), num(m[2]), tonumber(m[3])
local cur = redis.call('HMGET', rlcur, 'global', unpack(systems))
local prev = redis.call('HMGET', rlprev, 'global', unpack(systems))
local gcur, gprev, scur, sprev = num(cur[1]), num(prev[1]), {}, {}
for k, sys in ipairs(systems) do
  scur[sys], sprev[sys] = num(cur[k + 1]), num(prev[k + 1])
end
-- Ids already stored are retries, not new entries.
local stored = redis.call('SMISMEMBER', ids, unpack(bid))

local pushed, new_ids, errors, kept = {}, {}, {}, {}
local by_sys, by_lvl, users, fields = {}, {}, {}, {}
local accepted, dups, d_trace, d_sys, d_glob, n_errors = 0, 0, 0, 0, 0, 0
local function add_user(user)
  if user ~= '' and not users[user] then
    users[user] = true
    fields[#fields + 1] = 'user:' .. user
    fields[#fields + 1] = 1
  end
end
-- The common case: nothing stored before, no repeats, and the whole batch within every limit. Then each entry
-- would pass the checks below, so they are skipped.
local fits = not repeats and tprev * weight + tcur + n <= tlim and gprev * weight + gcur + n <= glim
for k = 1, n do
  if not fits then break end
  if stored[k] == 1 then fits = false end
end
for _, sys in ipairs(systems) do
  local q = quota[sys] or 0
  if q > 0 and sprev[sys] * weight + scur[sys] + cnt_sys[sys] > q then fits = false end
end
if fits then
  -- Stored as sent: the whole batch is one list element.
  for k = 1, n do
    kept[k] = true
    add_user(buser[k])
  end
  pushed[1], new_ids, accepted, by_sys, by_lvl, tcur = section, bid, n, cnt_sys, cnt_lvl, tcur + n
else
  -- Entry by entry: line k of the array is "[json," for the first, "json," then, and "json]" for the last.
  local in_batch = {}
  pos, p = 1, section
  for k = 1, n do
    local id, sys, lvl = bid[k], bsys[k], blvl[k]
    local json = sub(line(), k == 1 and 2 or 1, -2)
    local q = quota[sys] or 0
    if stored[k] == 1 or in_batch[id] then
      dups = dups + 1
    elseif tprev * weight + tcur + 1 > tlim then
      d_trace = d_trace + 1
      drop('drop:' .. sys .. ':rate_limit_trace', 1)
    elseif q > 0 and sprev[sys] * weight + scur[sys] + 1 > q then
      d_sys = d_sys + 1
      drop('drop:' .. sys .. ':rate_limit_system', 1)
    elseif gprev * weight + gcur + 1 > glim then
      d_glob = d_glob + 1
      drop('drop:' .. sys .. ':rate_limit_global', 1)
    else
      kept[k], in_batch[id] = true, true
      accepted = accepted + 1
      new_ids[accepted] = id
      pushed[accepted] = json
      tcur, gcur, scur[sys] = tcur + 1, gcur + 1, scur[sys] + 1
      by_sys[sys] = (by_sys[sys] or 0) + 1
      by_lvl[lvl] = (by_lvl[lvl] or 0) + 1
      add_user(buser[k])
    end
  end
  if accepted > 0 then pushed = { '[' .. table.concat(pushed, ',') .. ']' } end
end
for k = 1, n do
  if refs[k] and kept[k] then
    n_errors = n_errors + 1
    errors[#errors + 1] = now
    errors[#errors + 1] = refs[k]
  end
end

if accepted > 0 then
  redis.call('RPUSH', list, pushed[1])
  redis.call('SADD', ids, unpack(new_ids))
  fields[#fields + 1] = tcur_f
  fields[#fields + 1] = tcur
  fields[#fields + 1] = 'count'
  fields[#fields + 1] = num(m[5]) + accepted
  if n_errors > 0 then
    fields[#fields + 1] = 'errors'
    fields[#fields + 1] = num(m[6]) + n_errors
  end
  for i, sys in ipairs(systems) do
    if by_sys[sys] then
      fields[#fields + 1] = 'sys:' .. sys
      fields[#fields + 1] = num(m[6 + i]) + by_sys[sys]
    end
  end
  for i, lvl in ipairs(levels) do
    if by_lvl[lvl] then
      fields[#fields + 1] = 'lvl:' .. lvl
      fields[#fields + 1] = num(m[6 + #systems + i]) + by_lvl[lvl]
    end
  end
  -- First write of this window: the counter of the window before last is no longer needed.
  if not m[1] then redis.call('HDEL', meta, 'rl:' .. (bucket - 2)) end
  local g = redis.call('HINCRBY', rlcur, 'global', accepted)
  for sys, added in pairs(by_sys) do redis.call('HINCRBY', rlcur, sys, added) end
  if g == accepted then redis.call('PEXPIRE', rlcur, window * 2 + 60000) end
end
if accepted > 0 or has_drops then
  if has_drops then
    local names = {}
    for f in pairs(drops) do names[#names + 1] = f end
    local values = redis.call('HMGET', meta, unpack(names))
    for k, f in ipairs(names) do
      fields[#fields + 1] = f
      fields[#fields + 1] = num(values[k]) + drops[f]
    end
  end
  fields[#fields + 1] = 'last_seen'
  fields[#fields + 1] = now
  if not m[4] then
    fields[#fields + 1] = 'first_seen'
    fields[#fields + 1] = now
  end
  redis.call('HSET', meta, unpack(fields))
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
