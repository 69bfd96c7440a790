-- Replaces a bot that exists; its stats are kept and returned (none when
-- the stats key is of another type: they read as zero).
-- A garage key of another type fails the call, naming it (nothing written).
-- KEYS[1] garage hash, KEYS[2] botstats hash; ARGV[1] bot id, ARGV[2] encoded
-- bot. Returns nil if the bot does not exist, else its four stats values.
if not usable(KEYS[1], 'hash') then return wrong_type(KEYS[1]) end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return false end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if not usable(KEYS[2], 'hash') then return {false, false, false, false} end
return redis.call('HMGET', KEYS[2], unpack(stat_fields(ARGV[1])))
