-- All matches of one pass, each claimed atomically: if every slot's ticket is
-- waiting, the match id is unused and the server's inbox is a list (or
-- absent), the tickets become assigned and leave their queue, the sealed
-- record is stored and the match's inbox entry queued for the server;
-- otherwise nothing changes for that match. Calls are grouped (one ZREM per
-- queue per match, one RPUSH and PEXPIRE per inbox per pass): the matchmaker
-- sends thousands of tickets.
-- Each assigned match's seats become pending on its server (pending:{id},
-- field match id = 'seats:deadline ms') until a heartbeat counts them: the
-- next pass, here or on another matchmaker, sees them taken.
-- An inbox or pending-seats key of another type refuses every match for
-- that server, without touching a ticket, and is named in the problems.
-- No KEYS: the keys are built from the prefix. ARGV[1] key prefix, ARGV[2]
-- record ttl ms, ARGV[3] pending-seats ms, then per match: id, server id,
-- host, port, sealed record, inbox entry, slot count n, n x (queue member,
-- token, assignment tag).
-- Returns {problems, one 1 (assigned) or 0 per match}.
local P, ttl, pending_ms = ARGV[1], ARGV[2], tonumber(ARGV[3])
local deadline = now_ms() + pending_ms
local out, inbox_entries, inbox_ok, pending = {problems}, {}, {}, {}

-- The tickets of one match if every one is waiting: keys and members by queue.
local function claimable(first, n)
  local keys, queues = {}, {}
  for s = 1, n do
    local member = ARGV[first + 3 * s - 3]
    local key = P .. 'ticket:' .. member_account(member)
    local h = redis.pcall('HMGET', key, 'state', 'mode', 'region')
    if h.err or h[1] ~= 'waiting' then return nil end
    keys[s] = key
    local q = P .. 'queue:' .. (h[2] or '') .. ':' .. (h[3] or '')
    queues[q] = queues[q] or {}
    table.insert(queues[q], member)
  end
  return keys, queues
end

local i = 4
while i <= #ARGV do
  local id, server, host, port, record, entry = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  local n = tonumber(ARGV[i + 6])
  local first = i + 7
  i = first + 3 * n
  local ok = inbox_ok[server]
  if ok == nil then
    -- Both checked before any write (key_type in the prelude says why).
    local inbox_usable = usable(P .. 'inbox:' .. server, 'list')
    ok = usable(P .. 'pending:' .. server, 'hash') and inbox_usable
    inbox_ok[server] = ok
  end
  local match_key = P .. 'match:' .. id
  local keys, queues
  if ok and redis.call('EXISTS', match_key) == 0 then keys, queues = claimable(first, n) end
  if keys then
    for s = 1, n do
      redis.call('HSET', keys[s], 'state', 'assigned', 'match', id, 'host', host, 'port', port,
                 'token', ARGV[first + 3 * s - 2], 'amac', ARGV[first + 3 * s - 1])
    end
    for q, members in pairs(queues) do redis.pcall('ZREM', q, unpack(members)) end
    redis.call('SET', match_key, record, 'PX', ttl)
    inbox_entries[server] = inbox_entries[server] or {}
    table.insert(inbox_entries[server], entry)
    pending[server] = pending[server] or {}
    table.insert(pending[server], id)
    table.insert(pending[server], n .. ':' .. deadline)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
for server, entries in pairs(inbox_entries) do
  local inbox = P .. 'inbox:' .. server
  call_chunked('RPUSH', inbox, entries, 1, #entries)
  redis.call('PEXPIRE', inbox, ttl)
end
for server, fields in pairs(pending) do
  local key = P .. 'pending:' .. server
  call_chunked('HSET', key, fields, 1, #fields)  -- chunks of 1000 keep field/value pairs whole
  redis.call('PEXPIRE', key, pending_ms)
end
return out
