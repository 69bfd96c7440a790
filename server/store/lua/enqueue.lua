-- A new ticket, all or nothing: every check comes before the first write, so
-- a ticket is never left without its queue entry (or the reverse). The
-- ticket hash keeps the fields the scripts need in the clear (state, queue)
-- and the whole sealed ticket in `data`. `created` (Redis TIME) is
-- authoritative: `data` is written before the script reads the clock.
-- A ticket key that no enqueue wrote (not a hash, no `state`, or without a
-- TTL) and a queue key of another type are not ours: they are replaced and
-- named in the problems.
-- KEYS[1] ticket hash, KEYS[2] queue; ARGV[1] ttl ms, ARGV[2] queue member,
-- ARGV[3] mode, ARGV[4] region, ARGV[5] sealed ticket.
-- Returns {problems, the creation time in ms, or -1 if the account holds a ticket}.
local t = key_type(KEYS[1])
if t == 'hash' and redis.call('HEXISTS', KEYS[1], 'state') == 1 and redis.call('PTTL', KEYS[1]) > 0 then
  return reply(-1)
end
if t ~= 'none' then
  problem('key ' .. KEYS[1] .. ' is not a ticket (' .. t .. '); replaced')
  redis.call('DEL', KEYS[1])
end
if not usable(KEYS[2], 'zset') then redis.call('DEL', KEYS[2]) end
local now = now_ms()
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('HSET', KEYS[1], 'state', 'waiting', 'mode', ARGV[3], 'region', ARGV[4],
           'created', string.format('%d', now), 'data', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return reply(now)
