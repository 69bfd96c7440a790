-- Applies one match result exactly once (docs/REDIS.md "Results and ratings").
-- The Glicko-2 math runs in C++ on ratings read just before; this script
-- commits them only if nothing it read has changed since: the marker (still
-- as the caller saw it: absent, or a value the caller found is not ours) and
-- every player's `matches` version.
-- KEYS[1] marker, KEYS[2] stream, then n rating keys, n botstats keys,
-- n garage keys (row order). ARGV[1] encoded result, ARGV[2] match id,
-- ARGV[3] server id, ARGV[4] mode, ARGV[5] n, ARGV[6] the marker as read
-- ('' = none, '!type' = a key of another type), ARGV[7] the new marker
-- ('{digest}:{tag}', the stream entry id is appended), then 9 per row:
-- matches as read ('' = none, '!type' = not a hash), rating, deviation,
-- volatility, matches, bot id ('0' = none), win 0/1, kills, deaths; then
-- the stream's maximum length ('0' = unbounded).
-- Returns {problems, 'retry'} or {problems, 'applied', stream entry id}.
-- Reads and checks come first and every write after XADD cannot fail (keys
-- of another type are deleted before they are written), so an error can
-- never leave a half-applied result. A stream key of another type fails the
-- call, naming it: the result stays journaled until an operator fixes it.
local function as_read(key, want)
  local t = key_type(key)
  if t == 'none' then return '' end
  if t ~= want then return '!' .. t end
  return nil
end

local marker = as_read(KEYS[1], 'string') or redis.call('GET', KEYS[1])
if marker ~= ARGV[6] then return reply('retry') end
if not usable(KEYS[2], 'stream') then return wrong_type(KEYS[2]) end
local n = tonumber(ARGV[5])
local stats = {}
for i = 1, n do
  local a = 7 + (i - 1) * 9
  local seen = as_read(KEYS[2 + i], 'hash') or redis.call('HGET', KEYS[2 + i], 'matches') or ''
  if seen ~= ARGV[a + 1] then return reply('retry') end
  local bot, garage, botstats = ARGV[a + 6], KEYS[2 + 2 * n + i], KEYS[2 + n + i]
  if bot ~= '0' and usable(garage, 'hash') and redis.call('HEXISTS', garage, bot) == 1 then
    local f = stat_fields(bot)
    local old = {}
    if usable(botstats, 'hash') then old = redis.call('HMGET', botstats, f[1], f[2], f[3], f[4]) end
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
local max = ARGV[8 + 9 * n]
local id
if max ~= '0' then
  id = redis.call('XADD', KEYS[2], 'MAXLEN', max, '*', 'r', ARGV[1], 'match', ARGV[2], 'server', ARGV[3], 'mode', ARGV[4])
else
  id = redis.call('XADD', KEYS[2], '*', 'r', ARGV[1], 'match', ARGV[2], 'server', ARGV[3], 'mode', ARGV[4])
end
redis.call('SET', KEYS[1], ARGV[7] .. ':' .. id)
for i = 1, n do
  local a = 7 + (i - 1) * 9
  if as_read(KEYS[2 + i], 'hash') then redis.call('DEL', KEYS[2 + i]) end
  redis.call('HSET', KEYS[2 + i], 'rating', ARGV[a + 2], 'deviation', ARGV[a + 3], 'volatility', ARGV[a + 4],
             'matches', ARGV[a + 5])
  if stats[i] then
    if as_read(KEYS[2 + n + i], 'hash') then redis.call('DEL', KEYS[2 + n + i]) end
    redis.call('HSET', KEYS[2 + n + i], unpack(stats[i]))
  end
end
return reply('applied', id)
