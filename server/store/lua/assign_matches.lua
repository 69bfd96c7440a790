-- All matches of one pass, each claimed atomically: if every slot's ticket is
-- waiting, the match id is unused and the server's inbox is a list (or
-- absent), the tickets become assigned and leave their queue, the record is
-- stored and its id queued for the server; otherwise nothing changes for that
-- match. Calls are grouped (one ZREM per queue per match, one RPUSH and
-- PEXPIRE per inbox per pass): the matchmaker sends thousands of tickets.
-- Each assigned match's seats become pending on its server (pending:{id},
-- field match id = 'seats:deadline ms') until a heartbeat counts them: the
-- next pass, here or on another matchmaker, sees them taken.
-- No KEYS: the keys are built from the prefix. ARGV[1] key prefix, ARGV[2]
-- record ttl ms, ARGV[3] pending-seats ms, then per match: id, server id,
-- host, port, record, slot count n, n x (queue member, token).
-- Returns one 1 (assigned) or 0 per match.
local P, ttl, pending_ms = ARGV[1], ARGV[2], tonumber(ARGV[3])
local deadline = now_ms() + pending_ms
local out, inbox_ids, inbox_ok, pending = {}, {}, {}, {}
local i = 4
while i <= #ARGV do
  local id, server, host, port, record = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local n = tonumber(ARGV[i + 5])
  local first = i + 6
  i = first + 2 * n
  local ok = inbox_ok[server]
  if ok == nil then
    -- Checked before any write (key_type in the prelude says why).
    local inbox_type = key_type(P .. 'inbox:' .. server)
    local pending_type = key_type(P .. 'pending:' .. server)
    ok = (inbox_type == 'none' or inbox_type == 'list') and (pending_type == 'none' or pending_type == 'hash')
    inbox_ok[server] = ok
  end
  local match_key = P .. 'match:' .. id
  ok = ok and redis.call('EXISTS', match_key) == 0
  local keys, queues = {}, {}
  for s = 1, n do
    if not ok then break end
    local member = ARGV[first + 2 * s - 2]
    local key = P .. 'ticket:' .. member_account(member)
    local h = redis.pcall('HMGET', key, 'state', 'mode', 'region')
    if h.err or h[1] ~= 'waiting' then
      ok = false
    else
      keys[s] = key
      local q = P .. 'queue:' .. (h[2] or '') .. ':' .. (h[3] or '')
      queues[q] = queues[q] or {}
      table.insert(queues[q], member)
    end
  end
  if ok then
    for s = 1, n do
      redis.call('HSET', keys[s], 'state', 'assigned', 'match', id, 'host', host, 'port', port,
                 'token', ARGV[first + 2 * s - 1])
    end
    for q, members in pairs(queues) do redis.pcall('ZREM', q, unpack(members)) end
    redis.call('SET', match_key, record, 'PX', ttl)
    inbox_ids[server] = inbox_ids[server] or {}
    table.insert(inbox_ids[server], id)
    pending[server] = pending[server] or {}
    table.insert(pending[server], id)
    table.insert(pending[server], n .. ':' .. deadline)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
for server, ids in pairs(inbox_ids) do
  local inbox = P .. 'inbox:' .. server
  call_chunked('RPUSH', inbox, ids, 1, #ids)
  redis.call('PEXPIRE', inbox, ttl)
end
for server, fields in pairs(pending) do
  local key = P .. 'pending:' .. server
  call_chunked('HSET', key, fields, 1, #fields)  -- chunks of 1000 keep field/value pairs whole
  redis.call('PEXPIRE', key, pending_ms)
end
return out
