-- Live servers: drop expired members, return [id, HGETALL...] pairs for at
-- most ARGV[4] members, soonest expiry first (a planted member with a score
-- far in the future sorts after every real server). A member whose key is
-- not a hash, or a hash of more than 64 elements, is skipped and named in
-- the problems; the caller checks each entry's tag and times.
-- Each server's pending seats (matches assigned but not yet counted by a
-- heartbeat) are summed and appended as a `pending_seats` field; entries
-- past their deadline, with a deadline further ahead than an assignment
-- ever sets (ARGV[5] ms), whose match record does not exist, or not of the
-- form 'seats:deadline' are dropped. At most 6 digits of seats per entry:
-- hostile entries cannot overflow the sum.
-- KEYS[1] live-servers zset; ARGV[1] server key prefix, ARGV[2] pending key
-- prefix, ARGV[3] match key prefix, ARGV[4] most members, ARGV[5] pending ms.
-- Returns {problems, now, id, fields, id, fields, ...}.
local now = now_ms()
if not usable(KEYS[1], 'zset') then return reply(now) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[4]) - 1)
local latest = now + tonumber(ARGV[5])
local out = {problems, now}

local function pending_seats(key)
  local pending, stale = 0, {}
  if not usable(key, 'hash') then return 0 end
  local p = redis.call('HGETALL', key)
  for j = 1, #p, 2 do
    local seats, deadline = string.match(p[j + 1], '^(%d+):(%d+)$')
    if seats and #seats <= 6 and tonumber(deadline) > now and tonumber(deadline) <= latest
        and redis.call('EXISTS', ARGV[3] .. p[j]) == 1 then
      pending = pending + tonumber(seats)
    else
      stale[#stale + 1] = p[j]
    end
  end
  call_chunked('HDEL', key, stale, 1, #stale)
  return pending
end

for _, id in ipairs(ids) do
  local key = ARGV[1] .. id
  if key_type(key) ~= 'none' and usable(key, 'hash') then
    if redis.call('HLEN', key) > 32 then
      problem('key ' .. key .. ' has more fields than a registry entry')
    else
      local h = redis.call('HGETALL', key)
      h[#h + 1] = 'pending_seats'
      h[#h + 1] = tostring(pending_seats(ARGV[2] .. id))
      out[#out + 1] = id
      out[#out + 1] = h
    end
  end
end
return out
