-- Deletes a bot and its stats.
-- KEYS[1] garage hash, KEYS[2] botstats hash; ARGV[1] bot id. 1 if deleted.
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], unpack(stat_fields(ARGV[1])))
return 1
