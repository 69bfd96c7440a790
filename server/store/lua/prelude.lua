-- Prepended to every script of this folder when CMake embeds them, so that
-- no script carries its own copy of these helpers. Everything here is
-- `local`: Redis refuses a script that creates a global.

-- Redis's own clock (TIME) in milliseconds: servers and matchmakers with
-- skewed clocks still agree on expiry times and ticket ages.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The type of a key ('none' when it does not exist). Scripts check it before
-- their first write: a key of the wrong type would fail the script half way,
-- and a script's earlier writes are not rolled back.
local function key_type(key)
  return redis.call('TYPE', key)['ok']
end

-- redis.call(command, key, items[first..last]) in calls of at most 1000
-- items: unpack of a longer list could overflow Lua's C stack. Does nothing
-- when first > last.
local function call_chunked(command, key, items, first, last)
  for j = first, last, 1000 do
    redis.call(command, key, unpack(items, j, math.min(j + 999, last)))
  end
end

-- The account of a queue member: members are accounts zero-padded to 20
-- digits (so equal scores order by account), ticket keys are not padded.
local function member_account(member)
  return (string.gsub(member, '^0+', ''))
end

-- The four botstats fields of one bot (`{bot}:matches` ...), in the order
-- the store reads them back.
local function stat_fields(bot)
  return {bot .. ':matches', bot .. ':wins', bot .. ':kills', bot .. ':deaths'}
end

-- What this call met that it could not use (a key of another type, a value
-- that is not ours), at most 8 lines: scripts whose replies carry them put
-- them first, so the caller can count them and say which key was bad.
local problems = {}
local function problem(text)
  if #problems < 8 then problems[#problems + 1] = text end
end

-- True if `key` is absent or of type `want` (or `also`); otherwise notes the
-- problem and is false. Scripts check before their first write.
local function usable(key, want, also)
  local t = key_type(key)
  if t == 'none' or t == want or t == also then return true end
  problem('key ' .. key .. ' is a ' .. t .. ', not a ' .. want)
  return false
end

-- The error reply for a key no part of this call can do without.
local function wrong_type(key)
  return redis.error_reply('WRONGTYPE key ' .. key .. ' is a ' .. key_type(key))
end

-- {problems, ...payload}: the reply shape of scripts that skip what they cannot use.
local function reply(...)
  return {problems, ...}
end
