-- Cancel (waiting only) or remove (any state) a ticket and its queue entry.
-- KEYS[1] ticket hash; ARGV[1] queue key prefix, ARGV[2] queue member,
-- ARGV[3] '1' = any state. Returns 1 if the ticket was deleted.
local h = redis.call('HMGET', KEYS[1], 'state', 'mode', 'region')
if ARGV[3] ~= '1' and h[1] ~= 'waiting' then return 0 end
if h[1] == 'waiting' and h[2] and h[3] then
  redis.pcall('ZREM', ARGV[1] .. h[2] .. ':' .. h[3], ARGV[2])
end
return redis.call('DEL', KEYS[1])
