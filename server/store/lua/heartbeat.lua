-- Registry heartbeat: expiry is computed from Redis's own clock (TIME), so
-- servers with skewed clocks still agree on who is alive.
-- The matches whose seats `players` now counts stop being pending, in the
-- same step as `players` is written: no moment counts them twice or never.
-- A live-servers key of another type can hold no server: it is replaced.
-- KEYS[1] server hash, KEYS[2] live-servers zset, KEYS[3] pending seats;
-- ARGV[1] ttl ms, ARGV[2] id, ARGV[3] m, ARGV[4..3+m] field/value pairs
-- (the sealed entry: docs/REDIS.md), then the counted match ids.
-- Returns {problems, the heartbeat time (ms on Redis's clock)}.
local now = now_ms()
local m = tonumber(ARGV[3])
if not usable(KEYS[2], 'zset') then redis.call('DEL', KEYS[2]) end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'heartbeat_ms', now, unpack(ARGV, 4, 3 + m))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), ARGV[2])
if #ARGV > 3 + m and usable(KEYS[3], 'hash') then
  call_chunked('HDEL', KEYS[3], ARGV, 4 + m, #ARGV)
end
return reply(now)
