-- GCRA (generic cell rate algorithm) with reservation, one key per (merchant, operation).
-- The key holds the bucket's "theoretical arrival time" (TAT): when the schedule is next free,
-- in microseconds of the Redis server's clock (one clock for every instance).
--
-- KEYS[1]  the bucket key
-- ARGV[1]  emission interval: microseconds between two requests at the quota (1e6 / rate)
-- ARGV[2]  burst tolerance: microseconds a request may come ahead of schedule (interval * (burst - 1))
-- ARGV[3]  the longest wait the caller accepts, in microseconds
-- Returns {1, wait_us} when a slot was reserved (send after wait_us), or {0, wait_us} when the
-- slot is further away than the caller accepts (nothing is reserved).
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then
  tat = now
end
local wait = tat - tolerance - now
if wait < 0 then
  wait = 0
end
if wait > max_wait then
  return {0, wait}
end
local new_tat = tat + interval
-- The key expires once the schedule is free again: an idle bucket costs nothing.
local ttl_ms = math.ceil((new_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return {1, wait}
