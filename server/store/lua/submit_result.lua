-- Applies one match result exactly once (docs/REDIS.md "Results and ratings").
-- The Glicko-2 math runs in C++ on ratings read just before; this script
-- commits them only if no other result touched those players in between.
-- KEYS[1] marker, KEYS[2] stream, then n rating keys, n botstats keys,
-- n garage keys (row order). ARGV[1] encoded result, ARGV[2] match id,
-- ARGV[3] server id, ARGV[4] mode, ARGV[5] n, then 9 per row: matches as
-- read ('' = none), rating, deviation, volatility, matches, bot id
-- ('0' = none), win 0/1, kills, deaths; then the stream's maximum length
-- ('0' = unbounded).
-- Returns 'duplicate', 'retry', or the new stream entry id.
-- Reads and checks come first and every write after XADD cannot fail, so an
-- error (a key of the wrong type) can never leave a half-applied result.
if redis.call('EXISTS', KEYS[1]) == 1 then return 'duplicate' end
local n = tonumber(ARGV[5])
local stats = {}
for i = 1, n do
  local a = 5 + (i - 1) * 9
  local seen = redis.call('HGET', KEYS[2 + i], 'matches')
  if (seen or '') ~= ARGV[a + 1] then return 'retry' end
  local bot = ARGV[a + 6]
  if bot ~= '0' and redis.call('HEXISTS', KEYS[2 + 2 * n + i], bot) == 1 then
    local f = stat_fields(bot)
    local old = redis.call('HMGET', KEYS[2 + n + i], f[1], f[2], f[3], f[4])
    local add = {1, tonumber(ARGV[a + 7]), tonumber(ARGV[a + 8]), tonumber(ARGV[a + 9])}
    local new = {}
    for k = 1, 4 do
      -- A counter that is not a plain decimal is hostile: it restarts at 0.
      -- 15 digits at most: Lua numbers (doubles) count exactly that far.
      local v = old[k]
      if not v or not string.match(v, '^%d+$') or #v > 15 then v = 0 else v = tonumber(v) end
      new[#new + 1] = f[k]
      new[#new + 1] = string.format('%.0f', v + add[k])
    end
    stats[i] = new
  end
end
local max = ARGV[6 + 9 * n]
local id
if max ~= '0' then
  id = redis.call('XADD', KEYS[2], 'MAXLEN', max, '*', 'r', ARGV[1], 'match', ARGV[2], 'server', ARGV[3], 'mode', ARGV[4])
else
  id = redis.call('XADD', KEYS[2], '*', 'r', ARGV[1], 'match', ARGV[2], 'server', ARGV[3], 'mode', ARGV[4])
end
redis.call('SET', KEYS[1], id)
for i = 1, n do
  local a = 5 + (i - 1) * 9
  redis.call('HSET', KEYS[2 + i], 'rating', ARGV[a + 2], 'deviation', ARGV[a + 3], 'volatility', ARGV[a + 4],
             'matches', ARGV[a + 5])
  if stats[i] then redis.call('HSET', KEYS[2 + n + i], unpack(stats[i])) end
end
return id
