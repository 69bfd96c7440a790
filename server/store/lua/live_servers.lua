-- Live servers: drop expired members, return [id, HGETALL...] pairs.
-- Each server's pending seats (matches assigned but not yet counted by a
-- heartbeat) are summed and appended as a `pending_seats` field; entries
-- past their deadline, or not of the form 'seats:deadline', are dropped.
-- At most 6 digits of seats per entry: hostile entries cannot overflow the sum.
-- KEYS[1] live-servers zset; ARGV[1] server key prefix, ARGV[2] pending key prefix.
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for _, id in ipairs(ids) do
  local h = redis.call('HGETALL', ARGV[1] .. id)
  if #h > 0 then
    local pending, stale = 0, {}
    local key = ARGV[2] .. id
    if key_type(key) == 'hash' then
      local p = redis.call('HGETALL', key)
      for j = 1, #p, 2 do
        local seats, deadline = string.match(p[j + 1], '^(%d+):(%d+)$')
        if seats and #seats <= 6 and tonumber(deadline) > now then
          pending = pending + tonumber(seats)
        else
          stale[#stale + 1] = p[j]
        end
      end
      call_chunked('HDEL', key, stale, 1, #stale)
    end
    h[#h + 1] = 'pending_seats'
    h[#h + 1] = tostring(pending)
    out[#out + 1] = id
    out[#out + 1] = h
  end
end
return out
