// Matches on Redis: the matchmaker's side (waiting tickets, match ids,
// assignments) and the hosting server's (its inbox, a match record).
// Layout: docs/REDIS.md "Tickets, queues and matches"; scripts in lua/.
// Every operation is one round trip, whatever the batch size (the
// matchmaker handles thousands of tickets per pass); removing forged queue
// members costs one more, only when there are some.
#include <algorithm>

#include "qbot/store/lua_scripts.h"
#include "server/store/record_codec.h"
#include "server/store/record_tags.h"
#include "server/store/redis_store.h"

namespace qbot::server {
namespace {

/// Queue members that no longer stand for a waiting ticket, stepped over
/// (and removed) per waiting_tickets call beyond its limit.
constexpr std::size_t kStaleBudget = 10'000;

/// The assign script's arguments: the header, then per match its fields,
/// sealed record, inbox entry and slots with their assignment tags
/// (lua/assign_matches.lua).
std::vector<std::string> assign_args(const RecordSeal& seal, const std::string& prefix,
                                     std::span<const MatchAssignment> matches) {
  std::size_t arg_count = 3;
  for (const auto& m : matches) arg_count += 7 + 3 * m.slots.size();
  std::vector<std::string> args;
  args.reserve(arg_count);
  args.push_back(prefix);
  args.push_back(std::to_string(kMatchRecordTtlMs));
  args.push_back(std::to_string(kPendingSeatsMs));
  for (const auto& m : matches) {
    const std::string id = std::to_string(m.id);
    args.push_back(id);
    args.push_back(m.server_id);
    args.push_back(m.host);
    args.push_back(std::to_string(m.port));
    args.push_back(seal.seal(tags::kMatch, id, encode_match(m)));
    args.push_back(id + ":" + tags::inbox(seal, m.server_id, m.id));
    args.push_back(std::to_string(m.slots.size()));
    for (const auto& s : m.slots) {
      args.push_back(RedisStore::queue_member(s.account));
      args.push_back(s.token);
      args.push_back(tags::assignment(seal, s.account, m.id, m.host, m.port, s.token));
    }
  }
  return args;
}

}  // namespace

void RedisStore::remove_forged(const std::string& queue, const std::vector<std::string>& members) {
  if (members.empty()) return;
  std::vector<std::string> zrem{"ZREM", queue};
  zrem.insert(zrem.end(), members.begin(), members.end());
  // Best effort: if this fails they are met (and counted) again next pass.
  (void)run_pipeline({zrem});
}

StoreResult<std::vector<Ticket>> RedisStore::waiting_tickets(const std::string& mode, const std::string& region,
                                                             std::size_t limit) {
  if (!valid_mode(mode) || !valid_region(region)) {
    return core::Err{invalid_argument("invalid queue " + mode + ":" + region)};
  }
  std::vector<Ticket> out;
  limit = std::min(limit, kMaxBatch);
  if (limit == 0) return out;
  const std::string queue = queue_key(mode, region);
  const std::string keys[] = {queue};
  const std::string args[] = {prefix_ + "ticket:", std::to_string(limit), mode, region, std::to_string(kStaleBudget)};
  auto r = run_script(lua::kWaitingTickets, keys, args);
  if (!r) return io_error<std::vector<Ticket>>(r.error());
  if (!note_problems(*r, RecordKind::Ticket) || r->size() % 3 != 1) {
    reject(RecordKind::Ticket, "waiting tickets: reply is not [member, created, data, ...]");
    return out;
  }
  out.reserve(r->size() / 3);
  std::vector<std::string> forged;  // queue members whose ticket is not ours: out of the queue
  for (std::size_t i = 1; i + 2 < r->size(); i += 3) {
    auto entry = replies::parse_waiting(r->at(i), r->at(i + 1), r->at(i + 2));
    const std::string member(reply::str(r->at(i)));
    auto bytes = entry ? seal_.open(tags::kTicket, std::to_string(entry->account), entry->sealed) : std::nullopt;
    auto ticket = bytes ? decode_ticket(*bytes) : core::Err{std::string("tag does not verify")};
    if (entry && ticket && (ticket->account != entry->account || ticket->mode != mode || ticket->region != region)) {
      ticket = core::Err{std::string("names another account or queue")};
    }
    if (!ticket) {
      reject(RecordKind::Ticket, "queue member " + member + ": " + (entry ? ticket.error() : entry.error()));
      forged.push_back(member);
      continue;
    }
    ticket->created_ms = entry->created_ms;
    out.push_back(std::move(*ticket));
  }
  remove_forged(queue, forged);
  return out;
}

StoreResult<MatchId> RedisStore::reserve_match_ids(std::uint32_t count) {
  if (count == 0) return core::Err{invalid_argument("reserve 0 match ids")};
  const std::string keys[] = {match_ids_key()};
  const std::string args[] = {std::to_string(count), std::to_string(kMaxMatchId)};
  auto r = run_script(lua::kReserveMatchIds, keys, args);
  if (!r) return io_error<MatchId>(r.error());
  note_problems(*r, RecordKind::MatchIds);
  auto last = replies::decimal<std::uint64_t>(r->at(1), "last match id");
  if (!last || *last < count || *last > kMaxMatchId) {
    reject(RecordKind::MatchIds, "reserve match ids: reply is not an id");
    return io_error<MatchId>(RedisError{match_ids_key() + ": unexpected reply", false});
  }
  return *last - count + 1;
}

StoreResult<std::vector<bool>> RedisStore::assign_matches(std::span<const MatchAssignment> matches) {
  std::vector<bool> out;
  if (matches.empty()) return out;
  for (const auto& m : matches) {
    if (auto why = match_problem(m)) return core::Err{invalid_argument("match " + std::to_string(m.id) + ": " + *why)};
  }
  const std::vector<std::string> args = assign_args(seal_, prefix_, matches);
  auto r = run_script(lua::kAssignMatches, {}, args);
  if (!r) return io_error<std::vector<bool>>(r.error());
  if (!note_problems(*r, RecordKind::Inbox) || r->size() != matches.size() + 1) {
    return io_error<std::vector<bool>>(RedisError{"assign: unexpected reply", false});
  }
  out.reserve(matches.size());
  for (std::size_t i = 0; i < matches.size(); ++i) out.push_back(reply::integer(r->at(i + 1)) == 1);
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
  if (!note_problems(*r, RecordKind::Inbox) || r->size() % 2 != 1) {
    reject(RecordKind::Inbox, "take matches: reply is not [entry, record, ...]");
    return out;
  }
  for (std::size_t i = 1; i + 1 < r->size(); i += 2) {
    auto entry = replies::parse_inbox_entry(reply::str(r->at(i)));
    if (!entry || !tags::inbox_ok(seal_, server_id, entry->id, entry->tag)) {
      reject(RecordKind::Inbox, "inbox entry " + std::string(reply::str(r->at(i)).substr(0, 24)) + ": " +
                                    (entry ? std::string("tag does not verify") : entry.error()));
      continue;
    }
    // A record that expired (or never was) is skipped like a hostile one.
    auto bytes = seal_.open(tags::kMatch, std::to_string(entry->id), reply::str(r->at(i + 1)));
    auto m = bytes ? decode_match(*bytes) : core::Err{std::string("record missing or its tag does not verify")};
    if (m && (m->id != entry->id || m->server_id != server_id)) m = core::Err{std::string("names another match")};
    if (!m) {
      reject(RecordKind::Match, "match " + std::to_string(entry->id) + ": " + m.error());
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
  auto bytes = r->is_string() ? seal_.open(tags::kMatch, std::to_string(id), r->str()) : std::nullopt;
  auto m = bytes ? decode_match(*bytes) : core::Err{std::string("tag does not verify")};
  if (!m || m->id != id) {
    reject(RecordKind::Match, "match " + std::to_string(id) + ": " + (m ? "names another match" : m.error()));
    return Out{};
  }
  return Out{std::move(*m)};
}

}  // namespace qbot::server
