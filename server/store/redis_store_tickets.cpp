// Tickets, queues, match records and server inboxes on Redis. Layout and
// scripts: docs/REDIS.md "Tickets, queues and matches". Every operation is
// one round trip, whatever the batch size (the matchmaker handles thousands
// of tickets per pass).
#include <algorithm>
#include <cstdio>

#include "server/store/record_codec.h"
#include "server/store/redis_store.h"

namespace qbot::server {
namespace {

// The ticket hash keeps the fields the scripts need in the clear (state,
// queue) and the whole ticket encoded in `data`. `created` (Redis TIME) is
// authoritative: `data` is written before the script reads the clock.
// KEYS[1] ticket hash, KEYS[2] queue; ARGV[1] ttl ms, ARGV[2] queue member,
// ARGV[3] mode, ARGV[4] region, ARGV[5] encoded ticket.
// Returns the creation time in ms, or -1 if the account holds a ticket.
constexpr const char* kEnqueueScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'state', 'waiting', 'mode', ARGV[3], 'region', ARGV[4],
           'created', string.format('%d', now), 'data', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[2])
return now
)lua";

// Cancel (waiting only) or remove (any state) a ticket and its queue entry.
// KEYS[1] ticket hash; ARGV[1] queue key prefix, ARGV[2] queue member,
// ARGV[3] '1' = any state. Returns 1 if the ticket was deleted.
constexpr const char* kDropTicketScript = R"lua(
local h = redis.call('HMGET', KEYS[1], 'state', 'mode', 'region')
if ARGV[3] ~= '1' and h[1] ~= 'waiting' then return 0 end
if h[1] == 'waiting' and h[2] and h[3] then
  redis.pcall('ZREM', ARGV[1] .. h[2] .. ':' .. h[3], ARGV[2])
end
return redis.call('DEL', KEYS[1])
)lua";

// Refreshes and reports many tickets. KEYS: ticket hashes; ARGV[1] ttl ms,
// ARGV[2] queue key prefix, ARGV[2 + i] queue member of KEYS[i].
// Per ticket: 0 if gone; {'waiting', created, rank or -1, queue length};
// {state, created, match, host, port, token} otherwise.
constexpr const char* kPollScript = R"lua(
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
)lua";

// Oldest waiting tickets of one queue, dropping members that no longer stand
// for a waiting ticket of this queue (hash expired or removed; the account
// re-queued elsewhere). At most ARGV[5] such members are stepped over per
// call, so a queue full of them cannot stall Redis; the rest go next time.
// KEYS[1] queue; ARGV[1] ticket key prefix, ARGV[2] limit, ARGV[3] mode,
// ARGV[4] region, ARGV[5] stale budget. Returns [member, created, data, ...].
constexpr const char* kWaitingScript = R"lua(
local want = tonumber(ARGV[2])
local budget = want + tonumber(ARGV[5])
local out, stale = {}, {}
local found, start = 0, 0
while found < want and start < budget do
  local stop = math.min(start + want - found, budget) - 1
  local members = redis.call('ZRANGE', KEYS[1], start, stop)
  if #members == 0 then break end
  for _, m in ipairs(members) do
    local h = redis.pcall('HMGET', ARGV[1] .. (string.gsub(m, '^0+', '')), 'state', 'mode', 'region', 'created', 'data')
    if h.err then
      out[#out + 1] = m; out[#out + 1] = ''; out[#out + 1] = ''
      found = found + 1
    elseif h[1] == 'waiting' and h[2] == ARGV[3] and h[3] == ARGV[4] then
      out[#out + 1] = m; out[#out + 1] = h[4] or ''; out[#out + 1] = h[5] or ''
      found = found + 1
    else
      stale[#stale + 1] = m
    end
  end
  start = stop + 1
end
for i = 1, #stale, 1000 do
  redis.call('ZREM', KEYS[1], unpack(stale, i, math.min(i + 999, #stale)))
end
return out
)lua";

// All matches of one pass, each claimed atomically: if every slot's ticket is
// waiting, the match id is unused and the server's inbox is a list (or
// absent), the tickets become assigned and leave their queue, the record is
// stored and its id queued for the server; otherwise nothing changes for that
// match. Calls are grouped (one ZREM per queue per match, one RPUSH and
// PEXPIRE per inbox per pass): the matchmaker sends thousands of tickets.
// Each assigned match's seats become pending on its server (pending:{id},
// field match id = 'seats:deadline ms') until a heartbeat counts them: the
// next pass, here or on another matchmaker, sees them taken.
// ARGV[1] key prefix, ARGV[2] record ttl ms, ARGV[3] pending-seats ms, then
// per match: id, server id, host, port, record, slot count n, n x (queue
// member, token).
// Returns one 1 (assigned) or 0 per match.
constexpr const char* kAssignScript = R"lua(
local P, ttl, pending_ms = ARGV[1], ARGV[2], tonumber(ARGV[3])
local t = redis.call('TIME')
local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + pending_ms
local out, inbox_ids, inbox_ok, pending = {}, {}, {}, {}
local i = 4
while i <= #ARGV do
  local id, server, host, port, record = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local n = tonumber(ARGV[i + 5])
  local first = i + 6
  i = first + 2 * n
  local ok = inbox_ok[server]
  if ok == nil then
    -- Checked before any write: a key of the wrong type would fail the
    -- script half way, and a script's earlier writes are not rolled back.
    local inbox_type = redis.call('TYPE', P .. 'inbox:' .. server)['ok']
    local pending_type = redis.call('TYPE', P .. 'pending:' .. server)['ok']
    ok = (inbox_type == 'none' or inbox_type == 'list') and (pending_type == 'none' or pending_type == 'hash')
    inbox_ok[server] = ok
  end
  local match_key = P .. 'match:' .. id
  ok = ok and redis.call('EXISTS', match_key) == 0
  local keys, queues = {}, {}
  for s = 1, n do
    if not ok then break end
    local member = ARGV[first + 2 * s - 2]
    local key = P .. 'ticket:' .. (string.gsub(member, '^0+', ''))
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
  for j = 1, #ids, 1000 do redis.call('RPUSH', inbox, unpack(ids, j, math.min(j + 999, #ids))) end
  redis.call('PEXPIRE', inbox, ttl)
end
for server, fields in pairs(pending) do
  local key = P .. 'pending:' .. server
  for j = 1, #fields, 1000 do redis.call('HSET', key, unpack(fields, j, math.min(j + 999, #fields))) end
  redis.call('PEXPIRE', key, pending_ms)
end
return out
)lua";

// KEYS[1] inbox; ARGV[1] max ids, ARGV[2] match key prefix.
// Returns [id, record or '', ...] in inbox order.
constexpr const char* kTakeScript = R"lua(
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
)lua";

/// Bounds what one call may ask of Redis (reply size, script time).
constexpr std::size_t kMaxBatch = std::size_t{1} << 20;
/// Queue members that no longer stand for a waiting ticket, stepped over
/// (and removed) per waiting_tickets call beyond its limit.
constexpr std::size_t kStaleBudget = 10'000;


std::string ticket_key(const std::string& prefix, AccountId account) {
  return prefix + "ticket:" + std::to_string(account);
}
// mode and region are checked (valid_mode / valid_region) before they get here.
std::string queue_key(const std::string& prefix, const std::string& mode, const std::string& region) {
  return prefix + "queue:" + mode + ":" + region;
}

/// Zero-padded to 20 digits, so that equal scores (same ms) order members
/// by account number, as MemoryStore does.
std::string queue_member(AccountId account) {
  char buf[21];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(account));
  return buf;
}

std::optional<std::string> parse_text(const redisReply* r, std::size_t max) {
  if (!reply::is_string(r) || reply::str(r).size() > max) return std::nullopt;
  return std::string(reply::str(r));
}

/// One entry of the poll script's reply; nullopt if it is hostile.
std::optional<TicketStatus> parse_status(const redisReply* r) {
  if (!reply::is_array(r) || reply::size(r) < 2) return std::nullopt;
  const auto* state = reply::at(r, 0);
  TicketStatus st;
  if (!reply::is_string(state) || !reply::is_string(reply::at(r, 1)) ||
      !parse_decimal(reply::str(reply::at(r, 1)), st.created_ms)) {
    return std::nullopt;
  }
  if (reply::str(state) == "waiting" && reply::size(r) == 4) {
    const auto* rank = reply::at(r, 2);
    const auto* length = reply::at(r, 3);
    if (!reply::is_integer(rank) || !reply::is_integer(length) || reply::integer(length) < 0 ||
        reply::integer(length) > UINT32_MAX || reply::integer(rank) >= reply::integer(length)) {
      return std::nullopt;
    }
    st.state = TicketState::Waiting;
    st.queue_length = static_cast<std::uint32_t>(reply::integer(length));
    // Not in its queue (should not happen): report the end of the line.
    st.position = reply::integer(rank) < 0 ? st.queue_length : static_cast<std::uint32_t>(reply::integer(rank));
    return st;
  }
  if (reply::str(state) == "assigned" && reply::size(r) == 6) {
    auto host = parse_text(reply::at(r, 3), kMaxHostBytes);
    auto token = parse_text(reply::at(r, 5), kMaxTokenBytes);
    if (!host || !token || !reply::is_string(reply::at(r, 2)) || !reply::is_string(reply::at(r, 4)) ||
        !parse_decimal(reply::str(reply::at(r, 2)), st.match_id) || st.match_id == 0 ||
        !parse_decimal(reply::str(reply::at(r, 4)), st.port)) {
      return std::nullopt;
    }
    st.state = TicketState::Assigned;
    st.host = std::move(*host);
    st.token = std::move(*token);
    return st;
  }
  return std::nullopt;
}

}  // namespace

StoreResult<Ticket> RedisStore::enqueue(const Ticket& ticket, std::uint32_t ttl_ms) {
  if (auto why = ticket_problem(ticket)) return core::Err{invalid_argument(*why)};
  if (ttl_ms == 0) return core::Err{invalid_argument("ticket ttl 0")};
  Ticket stored = ticket;
  stored.created_ms = 0;  // the `created` field holds Redis TIME
  const std::string keys[] = {ticket_key(prefix_, ticket.account), queue_key(prefix_, ticket.mode, ticket.region)};
  const std::string args[] = {std::to_string(ttl_ms), queue_member(ticket.account), ticket.mode, ticket.region,
                              encode_ticket(stored)};
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.eval(kEnqueueScript, keys, args);
  if (!r) return io_error<Ticket>(r.error());
  if (!r->is_integer()) return io_error<Ticket>(RedisError{"enqueue: unexpected reply", false});
  if (r->integer() < 0) return core::Err{ticket_held(ticket.account)};
  stored.created_ms = static_cast<std::uint64_t>(r->integer());
  return stored;
}

StoreResult<bool> RedisStore::cancel_ticket(AccountId account) {
  const std::string keys[] = {ticket_key(prefix_, account)};
  const std::string args[] = {prefix_ + "queue:", queue_member(account), "0"};
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.eval(kDropTicketScript, keys, args);
  if (!r) return io_error<bool>(r.error());
  return r->integer() > 0;
}

StoreResult<bool> RedisStore::remove_ticket(AccountId account) {
  const std::string keys[] = {ticket_key(prefix_, account)};
  const std::string args[] = {prefix_ + "queue:", queue_member(account), "1"};
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.eval(kDropTicketScript, keys, args);
  if (!r) return io_error<bool>(r.error());
  return r->integer() > 0;
}

StoreResult<std::vector<std::optional<TicketStatus>>> RedisStore::poll_tickets(std::span<const AccountId> accounts,
                                                                                std::uint32_t ttl_ms) {
  using Out = std::vector<std::optional<TicketStatus>>;
  if (ttl_ms == 0) return core::Err{invalid_argument("ticket ttl 0")};
  if (accounts.size() > kMaxBatch) return core::Err{invalid_argument("too many tickets in one poll")};
  if (accounts.empty()) return Out{};
  std::vector<std::string> keys;
  std::vector<std::string> args;
  keys.reserve(accounts.size());
  args.reserve(accounts.size() + 2);
  args.push_back(std::to_string(ttl_ms));
  args.push_back(prefix_ + "queue:");
  for (const AccountId a : accounts) {
    keys.push_back(ticket_key(prefix_, a));
    args.push_back(queue_member(a));
  }
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.eval(kPollScript, keys, args);
  if (!r) return io_error<Out>(r.error());
  Out out(accounts.size());
  if (!r->is_array() || r->size() != accounts.size()) {
    malformed_ += 1;
    return out;
  }
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    if (reply::is_integer(r->at(i))) continue;  // gone
    out[i] = parse_status(r->at(i));
    if (!out[i]) malformed_ += 1;
  }
  return out;
}

StoreResult<std::vector<Ticket>> RedisStore::waiting_tickets(const std::string& mode, const std::string& region,
                                                             std::size_t limit) {
  if (!valid_mode(mode) || !valid_region(region)) {
    return core::Err{invalid_argument("invalid queue " + mode + ":" + region)};
  }
  std::vector<Ticket> out;
  limit = std::min(limit, kMaxBatch);
  if (limit == 0) return out;
  const std::string keys[] = {queue_key(prefix_, mode, region)};
  const std::string args[] = {prefix_ + "ticket:", std::to_string(limit), mode, region, std::to_string(kStaleBudget)};
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.eval(kWaitingScript, keys, args);
  if (!r) return io_error<std::vector<Ticket>>(r.error());
  if (!r->is_array() || r->size() % 3 != 0) {
    malformed_ += 1;
    return out;
  }
  out.reserve(r->size() / 3);
  for (std::size_t i = 0; i + 2 < r->size(); i += 3) {
    const auto* member = r->at(i);
    const auto* created = r->at(i + 1);
    const auto* data = r->at(i + 2);
    AccountId account = 0;
    std::uint64_t created_ms = 0;
    if (!reply::is_string(member) || !reply::is_string(created) || !reply::is_string(data) ||
        !parse_decimal(reply::str(member), account) || !parse_decimal(reply::str(created), created_ms)) {
      malformed_ += 1;
      continue;
    }
    auto ticket = decode_ticket(reply::str(data));
    if (!ticket || ticket->account != account || ticket->mode != mode || ticket->region != region) {
      malformed_ += 1;
      continue;
    }
    ticket->created_ms = created_ms;
    out.push_back(std::move(*ticket));
  }
  return out;
}

StoreResult<MatchId> RedisStore::reserve_match_ids(std::uint32_t count) {
  if (count == 0) return core::Err{invalid_argument("reserve 0 match ids")};
  const std::string key = prefix_ + "next_match_id";
  const std::string n = std::to_string(count);
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.command({"INCRBY", key, n});
  if (!r) return io_error<MatchId>(r.error());
  // The counter holds the last id handed out; anything below `count` means
  // somebody wrote to it, and ids from it could repeat.
  if (!r->is_integer() || r->integer() < static_cast<long long>(count)) {
    malformed_ += 1;
    return io_error<MatchId>(RedisError{key + " is corrupt", false});
  }
  return static_cast<MatchId>(r->integer()) - count + 1;
}

StoreResult<std::vector<bool>> RedisStore::assign_matches(std::span<const MatchAssignment> matches) {
  std::vector<bool> out;
  if (matches.empty()) return out;
  std::size_t arg_count = 3;
  for (const auto& m : matches) {
    if (auto why = match_problem(m)) return core::Err{invalid_argument("match " + std::to_string(m.id) + ": " + *why)};
    arg_count += 6 + 2 * m.slots.size();
  }
  std::vector<std::string> args;
  args.reserve(arg_count);
  args.push_back(prefix_);
  args.push_back(std::to_string(kMatchRecordTtlMs));
  args.push_back(std::to_string(kPendingSeatsMs));
  for (const auto& m : matches) {
    args.push_back(std::to_string(m.id));
    args.push_back(m.server_id);
    args.push_back(m.host);
    args.push_back(std::to_string(m.port));
    args.push_back(encode_match(m));
    args.push_back(std::to_string(m.slots.size()));
    for (const auto& s : m.slots) {
      args.push_back(queue_member(s.account));
      args.push_back(s.token);
    }
  }
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.eval(kAssignScript, {}, args);
  if (!r) return io_error<std::vector<bool>>(r.error());
  if (!r->is_array() || r->size() != matches.size()) {
    malformed_ += 1;
    return io_error<std::vector<bool>>(RedisError{"assign: unexpected reply", false});
  }
  out.reserve(matches.size());
  for (std::size_t i = 0; i < matches.size(); ++i) out.push_back(reply::integer(r->at(i)) == 1);
  return out;
}

StoreResult<std::vector<MatchAssignment>> RedisStore::take_matches(const std::string& server_id, std::size_t max) {
  if (!valid_server_id(server_id)) return core::Err{invalid_argument("invalid server id '" + server_id + "'")};
  std::vector<MatchAssignment> out;
  max = std::min(max, kMaxBatch);
  if (max == 0) return out;
  const std::string keys[] = {prefix_ + "inbox:" + server_id};
  const std::string args[] = {std::to_string(max), prefix_ + "match:"};
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.eval(kTakeScript, keys, args);
  if (!r) return io_error<std::vector<MatchAssignment>>(r.error());
  if (!r->is_array() || r->size() % 2 != 0) {
    malformed_ += 1;
    return out;
  }
  for (std::size_t i = 0; i + 1 < r->size(); i += 2) {
    MatchId id = 0;
    const auto* record = r->at(i + 1);
    if (!reply::is_string(r->at(i)) || !parse_decimal(reply::str(r->at(i)), id) || !reply::is_string(record)) {
      malformed_ += 1;
      continue;
    }
    // A record that expired (or never was) is skipped like a hostile one.
    auto m = decode_match(reply::str(record));
    if (!m || m->id != id || m->server_id != server_id) {
      malformed_ += 1;
      continue;
    }
    out.push_back(std::move(*m));
  }
  return out;
}

StoreResult<std::optional<MatchAssignment>> RedisStore::match(MatchId id) {
  using Out = std::optional<MatchAssignment>;
  const std::string key = prefix_ + "match:" + std::to_string(id);
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.command({"GET", key});
  if (!r) return io_error<Out>(r.error());
  if (r->is_nil()) return Out{};
  auto m = r->is_string() ? decode_match(r->str()) : decode_match({});
  if (!m || m->id != id) {
    malformed_ += 1;
    return Out{};
  }
  return Out{std::move(*m)};
}

}  // namespace qbot::server
