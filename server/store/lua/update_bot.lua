-- Replaces a bot that exists; its stats are kept and returned.
-- KEYS[1] garage hash, KEYS[2] botstats hash; ARGV[1] bot id, ARGV[2] encoded
-- bot. Returns nil if the bot does not exist, else its four stats values.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return false end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return redis.call('HMGET', KEYS[2], unpack(stat_fields(ARGV[1])))
