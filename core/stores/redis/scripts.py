"""The Lua scripts behind ``RedisStore``'s turn lock and its fenced save.

Lock scripts get ``KEYS = [queue, holder, parked]`` and ``ARGV = [token, prefix, ...]``.
A token is ``{node}.{random}``; ``{prefix}lease:{token}`` exists while its turn lives,
and ``{prefix}wake:{node}`` is the channel of the process that owns it.

Return values: 1 the lock is ours, 0 queued, 2 parked (stepped aside), -1 unknown
(our lease lapsed and we were dropped), as in ``core.stores.redis``.
"""

_PRELUDE = """
local queue, holder_key, parked = KEYS[1], KEYS[2], KEYS[3]
local token, prefix = ARGV[1], ARGV[2]

local function alive(t)
  return redis.call('EXISTS', prefix .. 'lease:' .. t) == 1
end

local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- Give the lock to the first live waiter when no live turn holds it, and tell that
-- waiter's process. Returns the holder's token, or false when nobody wants it.
local function advance(keep_ms)
  local holder = redis.call('GET', holder_key)
  if holder then
    if alive(holder) then return holder end
    redis.call('DEL', holder_key)
  end
  while true do
    local first = redis.call('ZRANGE', queue, 0, 0)[1]
    if not first then return false end
    redis.call('ZREM', queue, first)
    if alive(first) then
      redis.call('SET', holder_key, first, 'PX', keep_ms)
      if first ~= token then
        redis.call('PUBLISH', prefix .. 'wake:' .. string.match(first, '^[^.]+'), first)
      end
      return first
    end
  end
end
"""

# KEYS[4]: the session. ARGV: token, prefix, lease_ms, score_us ('' = now), keep_ms.
# Returns {1, session data or nil} when the lock is ours at once (the turn's first read
# comes with it), else {0}.
ENQUEUE = _PRELUDE + """
local lease_ms, keep_ms = tonumber(ARGV[3]), tonumber(ARGV[5])
redis.call('SET', prefix .. 'lease:' .. token, 1, 'PX', lease_ms)
local score = ARGV[4] ~= '' and tonumber(ARGV[4]) or now_us()
redis.call('ZADD', queue, score, token)
redis.call('PEXPIRE', queue, keep_ms)
if advance(keep_ms) == token then return {1, redis.call('GET', KEYS[4])} end
return {0}
"""

# ARGV: token, prefix, keep_ms
CHECK = _PRELUDE + """
local keep_ms = tonumber(ARGV[3])
if advance(keep_ms) == token then return 1 end
if redis.call('ZSCORE', queue, token) then return 0 end
if redis.call('LPOS', parked, token) then return 2 end
return -1
"""

# ARGV: token, prefix, keep_ms, park (1: step aside until another turn finishes)
RELEASE = _PRELUDE + """
local keep_ms, park = tonumber(ARGV[3]), ARGV[4] == '1'
if redis.call('GET', holder_key) == token then
  redis.call('DEL', holder_key)
  if park then
    redis.call('RPUSH', parked, token)
    redis.call('PEXPIRE', parked, keep_ms)
  else
    redis.call('DEL', prefix .. 'lease:' .. token)
    -- A finished turn lets the parked ones try again, behind those already waiting.
    local waiting = redis.call('LRANGE', parked, 0, -1)
    if #waiting > 0 then
      local now = now_us()
      for i, t in ipairs(waiting) do redis.call('ZADD', queue, 'NX', now + i, t) end
      redis.call('DEL', parked)
      redis.call('PEXPIRE', queue, keep_ms)
    end
  end
  token = ''  -- wake whoever comes next, whichever process it is in
  advance(keep_ms)
  return 1
end
if park then return -1 end
-- Not the holder: a waiter that gives up (cancelled, timed out) leaves quietly.
redis.call('DEL', prefix .. 'lease:' .. token)
redis.call('ZREM', queue, token)
redis.call('LREM', parked, 0, token)
return 0
"""

# ARGV: token, prefix, keep_ms. A parked turn whose wait is over joins the queue again.
UNPARK = _PRELUDE + """
local keep_ms = tonumber(ARGV[3])
if redis.call('LREM', parked, 0, token) > 0 then
  redis.call('ZADD', queue, now_us(), token)
  redis.call('PEXPIRE', queue, keep_ms)
end
if advance(keep_ms) == token then return 1 end
if redis.call('ZSCORE', queue, token) then return 0 end
return -1
"""

# KEYS: session, user set, holder.
# ARGV: token ('' outside a lock), data, ttl_ms, must_exist, session key.
# Returns 1 written, 0 not written (the session was deleted meanwhile), -1 lock lost.
PUT = """
if ARGV[1] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[1] then return -1 end
if ARGV[4] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ttl_ms = tonumber(ARGV[3])
redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl_ms)
redis.call('SADD', KEYS[2], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ttl_ms)
return 1
"""
