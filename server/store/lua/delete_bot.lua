-- Deletes a bot and its stats (a stats key of another type is left alone).
-- A garage key of another type fails the call, naming it (nothing written).
-- KEYS[1] garage hash, KEYS[2] botstats hash; ARGV[1] bot id. 1 if deleted.
if not usable(KEYS[1], 'hash') then return wrong_type(KEYS[1]) end
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
if usable(KEYS[2], 'hash') then redis.call('HDEL', KEYS[2], unpack(stat_fields(ARGV[1]))) end
return 1
