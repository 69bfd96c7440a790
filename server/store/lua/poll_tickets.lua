-- Refreshes and reports many tickets, and repairs a waiting ticket that is
-- missing from its queue (it is put back with its own creation time as the
-- score: its place in the line). A ticket that cannot be repaired (its key
-- is not a hash, its `created` is not a number, its queue key is of another
-- type) is deleted and named in the problems: the client hears that it
-- expired and queues again.
-- KEYS: ticket hashes; ARGV[1] ttl ms, ARGV[2] queue key prefix, ARGV[2 + i]
-- queue member of KEYS[i].
-- Returns {problems, per ticket: 0 if gone; {'waiting', created, rank,
-- queue length, 1 if repaired now else 0}; {state, created, match, host,
-- port, token, assignment tag} otherwise}.
local out, lengths = {problems}, {}

local function drop(key, why)
  problem('ticket ' .. key .. ' ' .. why .. '; deleted')
  redis.call('DEL', key)
  return 0
end

local function waiting(key, h, member)
  local q = ARGV[2] .. h[3] .. ':' .. h[4]
  local qt = key_type(q)
  if qt ~= 'none' and qt ~= 'zset' then return drop(key, 'names queue ' .. q .. ', a ' .. qt .. ', not a zset') end
  local repaired = 0
  local rank = redis.call('ZRANK', q, member)
  if not rank then
    local created = tonumber(h[2] or '')
    if not created then return drop(key, 'has no creation time') end
    redis.call('ZADD', q, created, member)
    rank = redis.call('ZRANK', q, member)
    repaired = 1
    lengths[q] = nil
  end
  local len = lengths[q]
  if len == nil then
    len = redis.call('ZCARD', q)
    lengths[q] = len
  end
  return {h[1], h[2] or '', rank, len, repaired}
end

for i, key in ipairs(KEYS) do
  if redis.call('PEXPIRE', key, ARGV[1]) == 0 then
    out[i + 1] = 0
  elseif key_type(key) ~= 'hash' then
    out[i + 1] = drop(key, 'is a ' .. key_type(key) .. ', not a hash')
  else
    local h = redis.call('HMGET', key, 'state', 'created', 'mode', 'region', 'match', 'host', 'port', 'token', 'amac')
    if h[1] == 'waiting' and h[3] and h[4] then
      out[i + 1] = waiting(key, h, ARGV[i + 2])
    else
      out[i + 1] = {h[1] or '', h[2] or '', h[5] or '', h[6] or '', h[7] or '', h[8] or '', h[9] or ''}
    end
  end
end
return out
