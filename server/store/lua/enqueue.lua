-- A new ticket. The ticket hash keeps the fields the scripts need in the
-- clear (state, queue) and the whole ticket encoded in `data`. `created`
-- (Redis TIME) is authoritative: `data` is written before the script reads
-- the clock.
-- KEYS[1] ticket hash, KEYS[2] queue; ARGV[1] ttl ms, ARGV[2] queue member,
-- ARGV[3] mode, ARGV[4] region, ARGV[5] encoded ticket.
-- Returns the creation time in ms, or -1 if the account holds a ticket.
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local now = now_ms()
redis.call('HSET', KEYS[1], 'state', 'waiting', 'mode', ARGV[3], 'region', ARGV[4],
           'created', string.format('%d', now), 'data', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[2])
return now
