// Lua scripts: each store operation is one EVALSHA, so one Redis command on the Upstash bill,
// and the limit checks run atomically with the write (no race can store more than a limit).
// `allow-key-locking` lets Upstash lock only the keys passed in KEYS instead of the database.

/**
 * KEYS: list, meta, ids, idx:traces, idx:errors, rl:current, rl:previous
 * ARGV: now, ttl_s, trace_limit, global_limit, window_ms, bucket, trace_id, index_ttl_s,
 *       trace_index_max, error_index_max, n_extra_drops, [system, reason, count]*, [entry fields]*
 * Entry fields (7 each): id, system, level, user_id, system_quota, json, error_ref
 * Returns: { accepted, duplicates, dropped_trace, dropped_system, dropped_global, retry_after_s }
 */
export const INGEST_SCRIPT = `#!lua flags=allow-key-locking
local list, meta, ids, itraces, ierrors, rlcur, rlprev = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local tlim = tonumber(ARGV[3])
local glim = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local bucket = tonumber(ARGV[6])
local trace = ARGV[7]
local index_ttl = tonumber(ARGV[8])
local trace_max = tonumber(ARGV[9])
local error_max = tonumber(ARGV[10])
local n_extra = tonumber(ARGV[11])
local weight = 1 - (now % window) / window

local function num(v) return tonumber(v) or 0 end
local tcur_f, tprev_f = 'rl:' .. bucket, 'rl:' .. (bucket - 1)
local tcur, tprev = num(redis.call('HGET', meta, tcur_f)), num(redis.call('HGET', meta, tprev_f))
local gcur, gprev = num(redis.call('HGET', rlcur, 'global')), num(redis.call('HGET', rlprev, 'global'))
local scur, sprev = {}, {}

local incr = {}
local function add(field, n) incr[field] = (incr[field] or 0) + n end
for i = 0, n_extra - 1 do
  local b = 12 + i * 3
  add('drop:' .. ARGV[b] .. ':' .. ARGV[b + 1], tonumber(ARGV[b + 2]))
end

-- One SMISMEMBER for the whole batch: ids already stored are retries, not new entries.
local first = 12 + n_extra * 3
local batch_ids = {}
for j = first, #ARGV, 7 do batch_ids[#batch_ids + 1] = ARGV[j] end
local stored = redis.call('SMISMEMBER', ids, unpack(batch_ids))

local pushed, errors, new_ids, users, in_batch = {}, {}, {}, {}, {}
local accepted, dups, d_trace, d_sys, d_glob = 0, 0, 0, 0, 0
local sys_added = {}
for k = 1, #batch_ids do
  local i = first + (k - 1) * 7
  local id, sys, lvl, user, quota, json, eref = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], tonumber(ARGV[i+4]), ARGV[i+5], ARGV[i+6]
  if stored[k] == 1 or in_batch[id] then
    dups = dups + 1
  else
    if scur[sys] == nil then
      scur[sys] = num(redis.call('HGET', rlcur, sys))
      sprev[sys] = num(redis.call('HGET', rlprev, sys))
    end
    if tprev * weight + tcur + 1 > tlim then
      d_trace = d_trace + 1
      add('drop:' .. sys .. ':rate_limit_trace', 1)
    elseif quota > 0 and sprev[sys] * weight + scur[sys] + 1 > quota then
      d_sys = d_sys + 1
      add('drop:' .. sys .. ':rate_limit_system', 1)
    elseif gprev * weight + gcur + 1 > glim then
      d_glob = d_glob + 1
      add('drop:' .. sys .. ':rate_limit_global', 1)
    else
      in_batch[id] = true
      new_ids[#new_ids + 1] = id
      accepted = accepted + 1
      tcur, gcur, scur[sys] = tcur + 1, gcur + 1, scur[sys] + 1
      sys_added[sys] = (sys_added[sys] or 0) + 1
      pushed[#pushed + 1] = json
      add('count', 1)
      add('sys:' .. sys, 1)
      add('lvl:' .. lvl, 1)
      if lvl == 'error' then add('errors', 1) end
      if user ~= '' and not users['user:' .. user] then
        users['user:' .. user] = true
        users[#users + 1] = 'user:' .. user
        users[#users + 1] = 1
      end
      if eref ~= '' then
        errors[#errors + 1] = now
        errors[#errors + 1] = eref
      end
    end
  end
end

if #pushed > 0 then
  redis.call('RPUSH', list, unpack(pushed))
  redis.call('SADD', ids, unpack(new_ids))
  if #users > 0 then redis.call('HSET', meta, unpack(users)) end
  redis.call('HSET', meta, tcur_f, tcur)
  redis.call('HDEL', meta, 'rl:' .. (bucket - 2))
  redis.call('HINCRBY', rlcur, 'global', accepted)
  for s, n in pairs(sys_added) do redis.call('HINCRBY', rlcur, s, n) end
  redis.call('PEXPIRE', rlcur, window * 2 + 60000)
end
for f, n in pairs(incr) do redis.call('HINCRBY', meta, f, n) end
if #pushed > 0 or n_extra > 0 or d_trace + d_sys + d_glob > 0 then
  redis.call('HSETNX', meta, 'first_seen', now)
  redis.call('HSET', meta, 'last_seen', now)
  local keep = ttl
  local pinned = tonumber(redis.call('HGET', meta, 'pinned_until'))
  if pinned and pinned > now then keep = math.max(ttl, math.ceil((pinned - now) / 1000)) end
  redis.call('EXPIRE', meta, keep)
  if #pushed > 0 then
    redis.call('EXPIRE', list, keep)
    redis.call('EXPIRE', ids, keep)
  end
  redis.call('ZADD', itraces, now, trace)
  redis.call('ZREMRANGEBYSCORE', itraces, '-inf', now - index_ttl * 1000)
  redis.call('ZREMRANGEBYRANK', itraces, 0, -(trace_max + 1))
  redis.call('EXPIRE', itraces, index_ttl)
end
if #errors > 0 then
  redis.call('ZADD', ierrors, unpack(errors))
  redis.call('ZREMRANGEBYSCORE', ierrors, '-inf', now - ttl * 1000)
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
