// Matches on Redis: the matchmaker's side (waiting tickets, match ids,
// assignments) and the hosting server's (its inbox, a match record).
// Layout: docs/REDIS.md "Tickets, queues and matches"; scripts in lua/.
// Every operation is one round trip, whatever the batch size (the
// matchmaker handles thousands of tickets per pass).
#include <algorithm>

#include "qbot/store/lua_scripts.h"
#include "server/store/record_codec.h"
#include "server/store/redis_store.h"

namespace qbot::server {
namespace {

/// Queue members that no longer stand for a waiting ticket, stepped over
/// (and removed) per waiting_tickets call beyond its limit.
constexpr std::size_t kStaleBudget = 10'000;

/// One [member, created, data] triple of the waiting script's reply, checked
/// against the queue it was read from; nullopt if it is hostile.
std::optional<Ticket> parse_waiting_ticket(const redisReply* member, const redisReply* created, const redisReply* data,
                                           const std::string& mode, const std::string& region) {
  AccountId account = 0;
  std::uint64_t created_ms = 0;
  if (!reply::is_string(member) || !reply::is_string(created) || !reply::is_string(data) ||
      !parse_decimal(reply::str(member), account) || !parse_decimal(reply::str(created), created_ms)) {
    return std::nullopt;
  }
  auto ticket = decode_ticket(reply::str(data));
  if (!ticket || ticket->account != account || ticket->mode != mode || ticket->region != region) {
    return std::nullopt;
  }
  ticket->created_ms = created_ms;
  return std::move(*ticket);
}

/// The assign script's arguments: the header, then per match its fields
/// and its slots (lua/assign_matches.lua).
std::vector<std::string> assign_args(const std::string& prefix, std::span<const MatchAssignment> matches) {
  std::size_t arg_count = 3;
  for (const auto& m : matches) arg_count += 6 + 2 * m.slots.size();
  std::vector<std::string> args;
  args.reserve(arg_count);
  args.push_back(prefix);
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
      args.push_back(RedisStore::queue_member(s.account));
      args.push_back(s.token);
    }
  }
  return args;
}

}  // namespace

StoreResult<std::vector<Ticket>> RedisStore::waiting_tickets(const std::string& mode, const std::string& region,
                                                             std::size_t limit) {
  if (!valid_mode(mode) || !valid_region(region)) {
    return core::Err{invalid_argument("invalid queue " + mode + ":" + region)};
  }
  std::vector<Ticket> out;
  limit = std::min(limit, kMaxBatch);
  if (limit == 0) return out;
  const std::string keys[] = {queue_key(mode, region)};
  const std::string args[] = {prefix_ + "ticket:", std::to_string(limit), mode, region, std::to_string(kStaleBudget)};
  auto r = run_script(lua::kWaitingTickets, keys, args);
  if (!r) return io_error<std::vector<Ticket>>(r.error());
  if (!r->is_array() || r->size() % 3 != 0) {
    malformed_ += 1;
    return out;
  }
  out.reserve(r->size() / 3);
  for (std::size_t i = 0; i + 2 < r->size(); i += 3) {
    auto ticket = parse_waiting_ticket(r->at(i), r->at(i + 1), r->at(i + 2), mode, region);
    if (!ticket) {
      malformed_ += 1;
      continue;
    }
    out.push_back(std::move(*ticket));
  }
  return out;
}

StoreResult<MatchId> RedisStore::reserve_match_ids(std::uint32_t count) {
  if (count == 0) return core::Err{invalid_argument("reserve 0 match ids")};
  const std::string key = prefix_ + "next_match_id";
  auto r = run_command({"INCRBY", key, std::to_string(count)});
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
  for (const auto& m : matches) {
    if (auto why = match_problem(m)) return core::Err{invalid_argument("match " + std::to_string(m.id) + ": " + *why)};
  }
  const std::vector<std::string> args = assign_args(prefix_, matches);
  auto r = run_script(lua::kAssignMatches, {}, args);
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
  const std::string keys[] = {inbox_key(server_id)};
  const std::string args[] = {std::to_string(max), prefix_ + "match:"};
  auto r = run_script(lua::kTakeMatches, keys, args);
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
  auto r = run_command({"GET", match_key(id)});
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
