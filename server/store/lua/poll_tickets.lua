-- Refreshes and reports many tickets. KEYS: ticket hashes; ARGV[1] ttl ms,
-- ARGV[2] queue key prefix, ARGV[2 + i] queue member of KEYS[i].
-- Per ticket: 0 if gone; {'waiting', created, rank or -1, queue length};
-- {state, created, match, host, port, token} otherwise.
local out, lengths = {}, {}
for i, key in ipairs(KEYS) do
  if redis.call('PEXPIRE', key, ARGV[1]) == 0 then
    out[i] = 0
  else
    local h = redis.pcall('HMGET', key, 'state', 'created', 'mode', 'region', 'match', 'host', 'port', 'token')
    if h.err then
      out[i] = {''}
    elseif h[1] == 'waiting' and h[3] and h[4] then
      local q = ARGV[2] .. h[3] .. ':' .. h[4]
      local rank = redis.pcall('ZRANK', q, ARGV[i + 2])
      if type(rank) ~= 'number' then rank = -1 end
      local len = lengths[q]
      if len == nil then
        len = redis.pcall('ZCARD', q)
        if type(len) ~= 'number' then len = 0 end
        lengths[q] = len
      end
      out[i] = {h[1], h[2] or '', rank, len}
    else
      out[i] = {h[1] or '', h[2] or '', h[5] or '', h[6] or '', h[7] or '', h[8] or ''}
    end
  end
end
return out
