-- A server's new matches: pops up to ARGV[1] ids from its inbox and reads
-- each match record.
-- KEYS[1] inbox; ARGV[1] max ids, ARGV[2] match key prefix.
-- Returns [id, record or '', ...] in inbox order.
local ids = redis.call('LPOP', KEYS[1], ARGV[1])
if not ids then return {} end
local out = {}
for _, id in ipairs(ids) do
  local record = redis.pcall('GET', ARGV[2] .. id)
  if type(record) ~= 'string' then record = '' end
  out[#out + 1] = id
  out[#out + 1] = record
end
return out
