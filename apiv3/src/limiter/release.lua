-- Gives back a slot reserved by gcra.lua that will not be used (the call was cancelled while
-- waiting for it), if it is still the last one reserved: the schedule then moves back by one
-- interval, exactly as if it had never been reserved. A slot reserved before others is not
-- given back (that would book two calls at the same time); it stays unused.
--
-- KEYS[1]  the bucket key
-- ARGV[1]  the schedule's time the reservation set (gcra.lua's third return value)
-- ARGV[2]  the emission interval, in microseconds
-- Returns 1 when the slot was given back, 0 otherwise.
local stored = tonumber(redis.call('GET', KEYS[1]))
if stored == nil or stored ~= tonumber(ARGV[1]) then
  return 0
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local back = stored - tonumber(ARGV[2])
local ttl_ms = math.ceil((back - now) / 1000) + 1000
if ttl_ms < 1 then
  ttl_ms = 1
end
redis.call('SET', KEYS[1], string.format('%.0f', back), 'PX', ttl_ms)
return 1
