#include "server/matchmaking/matchmaker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <random>
#include <span>

#include "proto/version.h"

namespace qbot::server {
namespace {

// Each wait between passes is the interval ± this fraction, at random.
constexpr double kIntervalJitter = 0.2;
// Mismatched servers remembered as already logged; beyond this the memory is
// cleared (and each is logged once more): a hostile registry cannot grow it.
constexpr std::size_t kMaxReportedMismatches = 1024;

// A live server and the seats it can still take in this pass.
struct Room {
  const ServerInfo* server = nullptr;
  std::uint64_t free = 0;  // capacity - players - pending seats - seats handed out earlier in this pass
};

// A formed match waiting for its id and tokens.
struct Pending {
  std::string_view mode;
  const ServerInfo* server = nullptr;
  std::vector<MatchSlot> slots;  // token filled in once the id is known
};

// The server of the region with the most free seats that can take `seats`
// (spreads load; ties go to the lowest id, the order live_servers returns).
Room* choose_room(std::vector<Room>& rooms, std::size_t seats) {
  Room* best = nullptr;
  for (auto& r : rooms) {
    if (r.free >= seats && (best == nullptr || r.free > best->free)) best = &r;
  }
  return best;
}

void note_error(PassStats& stats, const char* call, const StoreError& e) {
  ++stats.store_errors;
  if (stats.first_error.empty()) stats.first_error = std::string(call) + ": " + e.message;
}

// The live servers by region (ordered: passes visit regions the same way),
// each with the seats it can still take.
std::map<std::string, std::vector<Room>> rooms_by_region(const std::vector<ServerInfo>& live) {
  std::map<std::string, std::vector<Room>> regions;
  for (const auto& s : live) {
    // Seats assigned here by any matchmaker that the server's last heartbeat
    // does not count yet are taken too: no overbooking between heartbeats.
    const std::uint64_t taken = std::uint64_t{s.players} + s.pending_seats;
    const std::uint64_t free = s.capacity > taken ? s.capacity - taken : 0;
    regions[s.region].push_back(Room{&s, free});
  }
  return regions;
}

// Puts each formed match of one queue on a server of the region with room
// (appended to `pending`); a match without room is counted and its tickets
// stay in the queue for a later pass.
void place_matches(std::span<const FormedMatch> formed, const std::vector<Ticket>& tickets, std::string_view mode,
                   std::vector<Room>& rooms, PassStats& stats, std::vector<Pending>& pending) {
  for (const auto& m : formed) {
    Room* room = choose_room(rooms, m.seats.size());
    if (room == nullptr) {
      ++stats.no_room;
      continue;
    }
    room->free -= m.seats.size();
    Pending p{mode, room->server, {}};
    p.slots.reserve(m.seats.size());
    for (const auto& seat : m.seats) {
      const Ticket& t = tickets[seat.ticket];
      p.slots.push_back(MatchSlot{t.account, seat.team, t.bot, t.rating, {}});
    }
    pending.push_back(std::move(p));
  }
}

// The assignments of a pass: ids from `first_id` on, a signed join token per
// seat. Moves the slots out of `pending`.
std::vector<MatchAssignment> assignments(std::vector<Pending>& pending, MatchId first_id, std::uint64_t unix_ms,
                                         const MatchmakerConfig& config) {
  std::vector<MatchAssignment> matches;
  matches.reserve(pending.size());
  for (std::size_t i = 0; i < pending.size(); ++i) {
    auto& p = pending[i];
    MatchAssignment m;
    m.id = first_id + i;
    m.mode = std::string(p.mode);
    m.region = p.server->region;
    m.server_id = p.server->id;
    m.host = p.server->host;
    m.port = p.server->port;
    m.created_ms = unix_ms;
    m.slots = std::move(p.slots);
    for (auto& slot : m.slots) {
      slot.token = token::sign_join(config.key, token::JoinClaims{proto::kProtocolVersion, m.id, slot.account,
                                                                  m.server_id, unix_ms + config.token_ttl_ms});
    }
    matches.push_back(std::move(m));
  }
  return matches;
}

}  // namespace

PassStats& PassStats::operator+=(const PassStats& o) {
  queues += o.queues;
  tickets_seen += o.tickets_seen;
  matches_formed += o.matches_formed;
  matches_assigned += o.matches_assigned;
  tickets_assigned += o.tickets_assigned;
  conflicts += o.conflicts;
  no_room += o.no_room;
  key_mismatches += o.key_mismatches;
  store_errors += o.store_errors;
  if (first_error.empty()) first_error = o.first_error;
  return *this;
}

Matchmaker::Matchmaker(Store& store, MatchmakerConfig config) : store_(store), config_(std::move(config)) {
  if (config_.key_fingerprint.empty()) config_.key_fingerprint = token::key_fingerprint(config_.key);
  for (const auto& mode : config_.modes) {
    if (auto rules = rules_for_mode(mode, config_.arena_size)) {
      queues_.emplace_back(mode, *rules);
    } else {
      spdlog::warn("matchmaker: mode '{}' cannot be played in arenas of {} players; its tickets are not matched", mode,
                   config_.arena_size);
    }
  }
}

PassStats Matchmaker::run_pass(std::uint64_t now_ms, std::uint64_t unix_ms) {
  PassStats stats;
  auto live = store_.live_servers();
  if (!live.ok()) {
    note_error(stats, "live_servers", live.error());
    return stats;
  }
  const std::vector<ServerInfo> servers = same_key(std::move(*live), stats);
  std::vector<Pending> pending;
  for (auto& [region, rooms] : rooms_by_region(servers)) {
    for (const auto& [mode, rules] : queues_) {
      auto tickets = store_.waiting_tickets(mode, region, config_.fetch_limit);
      if (!tickets.ok()) {
        note_error(stats, "waiting_tickets", tickets.error());
        continue;
      }
      ++stats.queues;
      stats.tickets_seen += tickets->size();
      const auto formed = form_matches(*tickets, now_ms, rules);
      stats.matches_formed += formed.size();
      place_matches(formed, *tickets, mode, rooms, stats, pending);
    }
  }
  if (pending.empty()) return stats;

  // One id reservation and one assign call for the whole pass: the round trips
  // per pass stay constant however many matches it makes.
  auto first_id = store_.reserve_match_ids(static_cast<std::uint32_t>(pending.size()));
  if (!first_id.ok()) {
    note_error(stats, "reserve_match_ids", first_id.error());
    return stats;
  }
  const std::vector<MatchAssignment> matches = assignments(pending, *first_id, unix_ms, config_);
  auto assigned = store_.assign_matches(matches);
  if (!assigned.ok() || assigned->size() != matches.size()) {
    note_error(stats, "assign_matches",
               assigned.ok() ? StoreError{"answer has the wrong number of entries", StoreError::Kind::Invalid}
                             : assigned.error());
    return stats;
  }
  for (std::size_t i = 0; i < matches.size(); ++i) {
    if ((*assigned)[i]) {
      ++stats.matches_assigned;
      stats.tickets_assigned += matches[i].slots.size();
    } else {
      ++stats.conflicts;
    }
  }
  return stats;
}

std::vector<ServerInfo> Matchmaker::same_key(std::vector<ServerInfo> live, PassStats& stats) {
  std::erase_if(live, [&](const ServerInfo& s) {
    if (s.key_fingerprint == config_.key_fingerprint) return false;
    ++stats.key_mismatches;
    if (reported_mismatches_.size() >= kMaxReportedMismatches) reported_mismatches_.clear();
    if (reported_mismatches_.insert(s.id + "/" + s.key_fingerprint).second) {
      spdlog::error(
          "matchmaker: server '{}' signs tokens with another key (fingerprint '{}', ours '{}'): it gets no matches, "
          "because it would refuse our join tokens. Give every server of the fleet the same --token-secret "
          "(QBOT_TOKEN_SECRET)",
          s.id, s.key_fingerprint.empty() ? "none: an older version" : s.key_fingerprint, config_.key_fingerprint);
    }
    return true;
  });
  return live;
}

MatchmakerLoop::MatchmakerLoop(Matchmaker& matchmaker, std::chrono::milliseconds interval, Clock store_now_ms,
                               Clock unix_ms)
    : matchmaker_(matchmaker),
      interval_(interval),
      store_now_ms_(std::move(store_now_ms)),
      unix_ms_(std::move(unix_ms)),
      thread_([this] { run(); }) {}

MatchmakerLoop::~MatchmakerLoop() { stop(); }

void MatchmakerLoop::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

PassStats MatchmakerLoop::totals() const {
  std::lock_guard lock(mu_);
  return totals_;
}

std::uint64_t MatchmakerLoop::passes() const {
  std::lock_guard lock(mu_);
  return passes_;
}

void MatchmakerLoop::run() {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(1.0 - kIntervalJitter, 1.0 + kIntervalJitter);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(interval_ * jitter(rng));
    if (wake_.wait_for(lock, wait, [this] { return stopping_; })) break;
    lock.unlock();  // the pass blocks on the store: stop() and totals() must not wait on it
    const PassStats pass = matchmaker_.run_pass(store_now_ms_(), unix_ms_());
    if (pass.store_errors > 0) {
      spdlog::warn("matchmaker: {} store call(s) failed, first: {}", pass.store_errors, pass.first_error);
    }
    spdlog::debug(
        "matchmaker pass: {} queues, {} tickets seen, {} matches formed, {} assigned ({} tickets), {} conflicts, "
        "{} without room",
        pass.queues, pass.tickets_seen, pass.matches_formed, pass.matches_assigned, pass.tickets_assigned,
        pass.conflicts, pass.no_room);
    lock.lock();
    totals_ += pass;
    ++passes_;
  }
}

}  // namespace qbot::server
