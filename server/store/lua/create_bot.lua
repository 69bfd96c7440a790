-- Count, limit, next id and the bot in one atomic step, so two front doors
-- creating bots for one account can neither exceed the limit nor share an id.
-- A garage key of another type fails the call, naming it (nothing written).
-- KEYS[1] garage hash; ARGV[1] max bots, ARGV[2] encoded bot.
-- Returns the new id (1..4294967295, a bot id is a u32), or -1 when the
-- garage is full.
if not usable(KEYS[1], 'hash') then return wrong_type(KEYS[1]) end
local count = redis.call('HLEN', KEYS[1]) - redis.call('HEXISTS', KEYS[1], 'next_id')
if count >= tonumber(ARGV[1]) then return -1 end
local next_id = redis.call('HGET', KEYS[1], 'next_id')
if next_id and not string.match(next_id, '^%d+$') then
  return redis.error_reply('key ' .. KEYS[1] .. ' field next_id is not a number')
end
local id = redis.call('HINCRBY', KEYS[1], 'next_id', 1)
if id < 1 or id > 4294967295 then return redis.error_reply('key ' .. KEYS[1] .. ' next_id out of range') end
redis.call('HSET', KEYS[1], string.format('%d', id), ARGV[2])
return id
