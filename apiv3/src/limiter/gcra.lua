-- GCRA (generic cell rate algorithm) with reservation, one key per (merchant, operation).
-- The key holds the bucket's "theoretical arrival time" (TAT): when the schedule is next free,
-- in microseconds of the Redis server's clock (one clock for every instance).
--
-- KEYS[1]  the bucket key
-- ARGV[1]  emission interval: microseconds between two requests at the quota (1e6 / rate)
-- ARGV[2]  burst tolerance: microseconds a request may come ahead of schedule (interval * (burst - 1))
-- ARGV[3]  the longest wait the caller accepts, in microseconds
-- ARGV[4]  the horizon: no slot is reserved further ahead than this, in microseconds
-- Returns {status, wait_us, tat, repaired}:
--   status 1: a slot was reserved, send after wait_us; tat is the schedule's time it set (to
--             give the slot back with release.lua)
--   status 0: the slot is further away than the caller accepts (nothing reserved)
--   status 2: the slot is beyond the horizon (nothing reserved); ask again in wait_us - horizon
--   repaired 1: the stored time could not be right: not a number or further back than a key
--             lives (replaced by now), or further ahead than any reservation reaches (clamped
--             to that furthest point)
-- A key of another type fails the script (WRONGTYPE): the caller's failure policy applies.
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local horizon = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local stored = redis.call('GET', KEYS[1])
local tat = nil
local repaired = 0
if stored then
  tat = tonumber(stored)
  -- The furthest a reservation sets the schedule is horizon + tolerance + interval ahead; a
  -- live key is never more than its expiry slack (1 s) behind (2 s: a margin for rounding).
  -- `tat ~= tat` is NaN.
  local furthest = now + horizon + tolerance + interval
  if tat == nil or tat ~= tat or tat < now - 2000000 then
    tat = now
    repaired = 1
  elseif tat > furthest then
    -- Too far ahead (a poisoned value, or an instance with a longer horizon or a lower quota
    -- sharing the prefix): clamped to the furthest a reservation reaches, not reset to now,
    -- so a mismatch between instances never lets more through than the quota.
    tat = furthest
    repaired = 1
  end
end
if tat == nil or tat < now then
  tat = now
end
if repaired == 1 then
  -- Stored at once, so the schedule moves on from the repaired time even if this call
  -- reserves nothing (a clamped time is beyond the horizon).
  redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
end
local wait = tat - tolerance - now
if wait < 0 then
  wait = 0
end
if wait > max_wait then
  return {0, wait, 0, repaired}
end
if wait > horizon then
  return {2, wait, 0, repaired}
end
local new_tat = tat + interval
-- The key expires once the schedule is free again: an idle bucket costs nothing.
local ttl_ms = math.ceil((new_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return {1, wait, new_tat, repaired}
