-- Reserves ARGV[1] consecutive match ids. Ids are above Redis's clock in
-- microseconds as well as above the last id handed out, so they do not
-- repeat when the counter is lost (Redis restarted empty, a failover lost
-- the last increments): by then the clock has passed every id given out,
-- as long as fewer than a million ids a second are reserved. A counter that
-- is not a plain decimal, is of another type, or would pass ARGV[2] (the
-- largest id, 2^53 - 1, exact in JSON and in Lua) is not ours: replaced and
-- named in the problems.
-- KEYS[1] counter; ARGV[1] count, ARGV[2] largest id.
-- Returns {problems, the last id of the block (decimal)}.
local count, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = 0
if usable(KEYS[1], 'string') and key_type(KEYS[1]) == 'string' then
  local v = redis.call('GET', KEYS[1])
  if string.match(v, '^%d+$') and #v <= 16 and tonumber(v) + count <= limit then
    last = tonumber(v)
  else
    problem('key ' .. KEYS[1] .. ' holds ' .. string.sub(v, 1, 24) .. ', not a match id; replaced')
  end
end
if last < now_us then last = now_us end
last = last + count
if last > limit then return redis.error_reply('match ids exhausted: the clock is past 2^53 microseconds') end
redis.call('SET', KEYS[1], string.format('%.0f', last))
return reply(string.format('%.0f', last))
