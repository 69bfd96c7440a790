-- A server's new matches: pops up to ARGV[1] entries ('{id}:{tag}') from its
-- inbox and reads each entry's match record. An inbox key of another type
-- can hold no entry: it is deleted (the next assignment starts a new one)
-- and named in the problems.
-- KEYS[1] inbox; ARGV[1] max entries, ARGV[2] match key prefix.
-- Returns {problems, entry, sealed record or '', ...} in inbox order.
if not usable(KEYS[1], 'list') then
  redis.call('DEL', KEYS[1])
  return reply()
end
local entries = redis.call('LPOP', KEYS[1], ARGV[1])
if not entries then return reply() end
local out = {problems}
for _, entry in ipairs(entries) do
  local id = string.match(entry, '^(%d+):')
  local record = id and redis.pcall('GET', ARGV[2] .. id) or ''
  if type(record) ~= 'string' then record = '' end
  out[#out + 1] = entry
  out[#out + 1] = record
end
return out
