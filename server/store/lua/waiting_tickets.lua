-- Oldest waiting tickets of one queue, dropping members that no longer stand
-- for a waiting ticket of this queue (hash expired or removed, or a key of
-- another type; the account re-queued elsewhere). At most ARGV[5] such
-- members are stepped over per call, so a queue full of them cannot stall
-- Redis; the rest go next time. A queue key of another type yields nothing.
-- KEYS[1] queue; ARGV[1] ticket key prefix, ARGV[2] limit, ARGV[3] mode,
-- ARGV[4] region, ARGV[5] stale budget.
-- Returns {problems, member, created, sealed data, ...}.
if not usable(KEYS[1], 'zset') then return reply() end
local want = tonumber(ARGV[2])
local budget = want + tonumber(ARGV[5])
local out, stale = {problems}, {}
local found, start = 0, 0
while found < want and start < budget do
  local stop = math.min(start + want - found, budget) - 1
  local members = redis.call('ZRANGE', KEYS[1], start, stop)
  if #members == 0 then break end
  for _, m in ipairs(members) do
    local key = ARGV[1] .. member_account(m)
    local h = usable(key, 'hash') and redis.call('HMGET', key, 'state', 'mode', 'region', 'created', 'data') or {}
    if h[1] == 'waiting' and h[2] == ARGV[3] and h[3] == ARGV[4] then
      out[#out + 1] = m; out[#out + 1] = h[4] or ''; out[#out + 1] = h[5] or ''
      found = found + 1
    else
      stale[#stale + 1] = m
    end
  end
  start = stop + 1
end
call_chunked('ZREM', KEYS[1], stale, 1, #stale)
return out
