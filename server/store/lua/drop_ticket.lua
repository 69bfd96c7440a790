-- Cancel (waiting only) or remove (any state) a ticket and its queue entry.
-- A ticket key of another type is no ticket: removed (any state), else kept.
-- KEYS[1] ticket hash; ARGV[1] queue key prefix, ARGV[2] queue member,
-- ARGV[3] '1' = any state. Returns {problems, 1 if the ticket was deleted}.
if not usable(KEYS[1], 'hash') then
  if ARGV[3] ~= '1' then return reply(0) end
  return reply(redis.call('DEL', KEYS[1]))
end
local h = redis.call('HMGET', KEYS[1], 'state', 'mode', 'region')
if ARGV[3] ~= '1' and h[1] ~= 'waiting' then return reply(0) end
if h[1] == 'waiting' and h[2] and h[3] then
  redis.pcall('ZREM', ARGV[1] .. h[2] .. ':' .. h[3], ARGV[2])
end
return reply(redis.call('DEL', KEYS[1]))
