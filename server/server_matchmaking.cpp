// The Server's side of matchmaking: the lobby (garage and queue of clients
// connected here), the matchmade matches this server hosts (taken from its
// inbox in the Store, joined with signed tokens), and their results.
// Store calls go through the IoWorker; nothing here blocks the tick.
#include <spdlog/spdlog.h>

#include "proto/version.h"
#include "server/results/result_delivery.h"
#include "server/store/record_codec.h"
#include "server/server.h"
#include "sim/loadout.h"

namespace qbot::server {
namespace {

using namespace std::chrono_literals;
using proto::RejectReason;

constexpr std::size_t kInboxBatch = 32;                   // matches taken per inbox read
constexpr std::chrono::milliseconds kParkedJoinWait{3000};  // a token may beat its match to our inbox
constexpr std::uint32_t kRedeliverEverySeconds = 5;

}  // namespace

std::uint64_t Server::unix_ms() const {
  if (unix_clock_) return unix_clock_();
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(clock_()).count());
}

// ---------------------------------------------------------------------------
// Lobby
// ---------------------------------------------------------------------------
void Server::enter_lobby(Session& s, const proto::Hello& hello, Nanos now) {
  AccountId account = 0;
  if (!hello.account_token.empty()) {
    auto claims = token::verify_account(token_key_, hello.account_token);
    if (!claims) {
      reject(s, RejectReason::InvalidToken, std::string("account token ") + token::to_string(claims.error()), now);
      return;
    }
    account = claims->account_id;
  } else {
    account = token::random_account_id();  // a guest: its garage lives as long as it keeps the token
  }
  if (players_ + lobby_sessions_ >= cfg_.max_clients) {
    reject(s, RejectReason::ServerFull, "server is full", now);
    return;
  }
  s.state = SessionState::Lobby;
  s.account = account;
  s.player_id = next_player_id_++;
  s.name = "lobby";
  lobby_sessions_ += 1;
  metrics_.lobby_sessions.Set(static_cast<double>(lobby_sessions_));

  proto::Welcome w;
  w.protocol_version = proto::kProtocolVersion;
  w.player_id = s.player_id;
  w.tick_rate = static_cast<std::uint16_t>(cfg_.tick_rate);
  w.snapshot_interval = static_cast<std::uint8_t>(cfg_.snapshot_interval);
  w.server_tick = static_cast<core::Tick>(ticks_run_);
  w.server_id = cfg_.server_id;
  w.catalog_version = content_.catalog.catalog.version;
  w.account_id = account;
  const std::string token = token::sign_account(token_key_, {account, unix_ms()});
  w.account_token.assign(token.begin(), token.end());
  w.lobby = true;
  send_reliable(s, encoder_.encode(w));
  spdlog::debug("session {}: account {} entered the lobby", s.id, account);
}

void Server::on_lobby_message(Session& s, proto::Message& msg, Nanos now) {
  if (const auto* g = std::get_if<proto::GarageRequest>(&msg)) {
    lobby_->on_garage(s.id, s.account, *g);
  } else if (const auto* q = std::get_if<proto::QueueRequest>(&msg)) {
    lobby_->on_queue(s.id, s.account, *q);
  } else if (std::holds_alternative<proto::CancelQueue>(msg)) {
    lobby_->on_cancel(s.id, s.account);
  } else if (std::holds_alternative<proto::Hello>(msg)) {
    reject(s, RejectReason::DuplicateHello, "Hello after Welcome", now);
  } else {
    on_bad_message(s, "unexpected " + std::string(proto::message_name(msg)) + " in the lobby", now);
  }
}

void Server::leave_lobby(Session& s) {
  if (s.state != SessionState::Lobby) return;
  lobby_->on_leave(s.id, s.account);
  lobby_sessions_ -= 1;
  metrics_.lobby_sessions.Set(static_cast<double>(lobby_sessions_));
}

// ---------------------------------------------------------------------------
// Matchmade matches
// ---------------------------------------------------------------------------
void Server::admit_join(Session& s, std::span<const std::uint8_t> token, Nanos now) {
  auto admitted = hosted_.admit(token, unix_ms());
  if (!admitted) {
    const JoinRefusal& why = admitted.error();
    if (why.not_yet_known) {
      // The matchmaker wrote the match before we read our inbox: wait a
      // little (each inbox read re-tries parked sessions; expire_sessions
      // refuses them with WrongMatch at the deadline).
      if (s.parked_join.empty()) {
        s.parked_join.assign(token.begin(), token.end());
        s.deadline = now + kParkedJoinWait;
        poll_inbox();
      }
      return;
    }
    s.parked_join.clear();
    reject(s, why.reason, why.text, now);
    return;
  }
  s.parked_join.clear();
  HostedMatch& match = *admitted->match;
  const MatchSlot& slot = *admitted->slot;
  Arena* arena = arenas_.find(match.arena);
  if (arena == nullptr) {
    reject(s, RejectReason::WrongMatch, "match " + std::to_string(match.assignment.id) + " is over", now);
    return;
  }
  const sim::Catalog& catalog = content_.catalog.catalog;
  auto resolved = sim::resolve_loadout(catalog, slot.bot.loadout);
  // The bot was valid when queued; if our catalog disagrees, play the default
  // rather than keep the player out of a match others are waiting for.
  sim::Loadout loadout = resolved ? std::move(resolved.value()) : sim::default_loadout(catalog, slot.bot.loadout.name);
  s.account = slot.account;
  place_player(s, *arena, loadout, Seat{slot.account, slot.bot.id, slot.team}, now);
}

void Server::tend_matchmaking(Nanos now) {
  lobby_->tick(unix_ms());
  // Everything below is coarse: every ~100 ms.
  if (++ticks_matchmaking_ % std::max<std::uint32_t>(1, cfg_.tick_rate / 10) != 0) return;
  poll_inbox();
  std::vector<ArenaId> finished;
  for (auto& [id, hosted] : hosted_.all()) {
    Arena* arena = arenas_.find(hosted.arena);
    if (arena == nullptr) continue;
    if (arena->finished()) {
      finished.push_back(arena->id());
    } else if (now >= hosted.join_deadline && arena->phase() == proto::MatchPhase::Waiting) {
      // Not everyone came: start with whoever did (at least one opponent).
      const auto present = static_cast<std::uint32_t>(arena->players().size());
      if (present >= 2 && arena->min_players() > present) {
        spdlog::info("match {}: {} of {} players joined in time; starting", hosted.assignment.id, present,
                     hosted.assignment.slots.size());
        arena->lower_min_players(present);
      } else if (now >= hosted.join_deadline + std::chrono::seconds(cfg_.match_join_timeout_s) && present < 2) {
        spdlog::warn("match {}: abandoned ({} of {} players came)", hosted.assignment.id, present,
                     hosted.assignment.slots.size());
        finished.push_back(arena->id());
      }
    }
  }
  for (ArenaId id : finished) {
    if (Arena* arena = arenas_.find(id)) close_matchmade(*arena, now);
  }
  post_results();
  if (ticks_matchmaking_ % (std::uint64_t{kRedeliverEverySeconds} * cfg_.tick_rate) == 0) redeliver_results();
}

void Server::poll_inbox() {
  if (inbox_in_flight_ || draining_) return;
  const std::string id = cfg_.server_id;
  auto job = [id](Store& store) { return store.take_matches(id, kInboxBatch); };
  auto done = [this](StoreResult<std::vector<MatchAssignment>>& taken) {
    inbox_in_flight_ = false;
    if (!taken) {
      metrics_.store_errors.Increment();
      spdlog::warn("reading the match inbox failed: {}", taken.error().message);
      return;
    }
    host_matches(*taken, clock_());
  };
  inbox_in_flight_ = io_->call<StoreResult<std::vector<MatchAssignment>>>(std::move(job), std::move(done));
  if (!inbox_in_flight_) metrics_.store_jobs_dropped.Increment();
}

void Server::host_matches(std::vector<MatchAssignment>& matches, Nanos now) {
  for (MatchAssignment& m : matches) {
    if (m.server_id != cfg_.server_id || m.slots.empty() || m.slots.size() > kMaxMatchSlots) {
      spdlog::warn("inbox: match {} is not hostable here (server '{}', {} seats); skipped", m.id, m.server_id,
                   m.slots.size());
      continue;
    }
    const auto mode = proto::parse_game_mode(m.mode).value_or(proto::GameMode::FreeForAll);  // decode_match checked it
    const MatchId id = m.id;
    const std::size_t seats = m.slots.size();
    HostedMatch* hosted = hosted_.add(std::move(m), now + std::chrono::seconds(cfg_.match_join_timeout_s));
    if (hosted == nullptr) continue;  // already hosting it
    hosted->arena = arenas_.open_matchmade(id, mode, seats).id();
    metrics_.matchmade_matches.Increment();
    spdlog::info("hosting match {} ({}, {} seats) in arena {}", id, hosted->assignment.mode, seats, hosted->arena);
  }
  // Joins that arrived before their match did.
  std::vector<SessionId> parked;
  for (auto& [id, s] : sessions_) {
    if (s.state == SessionState::AwaitingHello && !s.parked_join.empty()) parked.push_back(id);
  }
  for (SessionId id : parked) {
    Session* s = find_session(id);
    if (s == nullptr) continue;
    const std::vector<std::uint8_t> token = s->parked_join;
    admit_join(*s, token, now);
  }
}

void Server::close_matchmade(Arena& arena, Nanos now) {
  const ArenaId id = arena.id();
  std::vector<SessionId> players;
  for (const ArenaPlayer& p : arena.players()) players.push_back(p.session);
  for (SessionId sid : players) {
    Session* s = find_session(sid);
    if (s == nullptr) continue;
    if (s->state == SessionState::Orphaned) remove_session(sid);
    else reject(*s, RejectReason::MatchOver, "match over", now);
  }
  for (auto& [mid, hosted] : hosted_.all()) {
    if (hosted.arena == id) {
      hosted_.remove(mid);
      break;
    }
  }
  arenas_.close(id);
}

void Server::report_result(const Arena& arena, const proto::MatchEnded& ended) {
  HostedMatch* hosted = hosted_.find(ended.match_id);
  if (hosted == nullptr) return;
  unsent_results_.push_back(store_result(hosted->assignment, ended, arena.players(), unix_ms()));
  post_results();
}

void Server::post_results() {
  // Delivery (and journaling when the store is down: disk writes) happens
  // on the store worker. If its queue is full the result stays here and the
  // next matchmaking tend (~100 ms) posts it again: nothing is lost, and the
  // tick never touches the disk.
  while (!unsent_results_.empty()) {
    auto result = std::make_shared<MatchResult>(unsent_results_.front());
    ResultJournal* journal = journal_.get();
    auto job = [result, journal](Store& store) { return deliver_result(store, *journal, *result); };
    auto done = [this](DeliveryCounts& c) {
      metrics_.result("applied").Increment(static_cast<double>(c.applied));
      metrics_.result("duplicate").Increment(static_cast<double>(c.duplicates));
      metrics_.result("journaled").Increment(static_cast<double>(c.journaled));
      metrics_.result("dropped").Increment(static_cast<double>(c.refused + c.lost));
      if (c.journaled > 0) metrics_.results_journaled.Increment(static_cast<double>(c.journaled));
    };
    if (!io_->call<DeliveryCounts>(std::move(job), std::move(done))) {
      metrics_.store_jobs_dropped.Increment();
      return;
    }
    unsent_results_.erase(unsent_results_.begin());
  }
}

void Server::redeliver_results() {
  if (redelivery_in_flight_) return;
  ResultJournal* journal = journal_.get();
  auto job = [journal](Store& store) { return redeliver_journaled(store, *journal); };
  auto done = [this](DeliveryCounts& c) {
    redelivery_in_flight_ = false;
    metrics_.result("applied").Increment(static_cast<double>(c.applied));
    metrics_.result("duplicate").Increment(static_cast<double>(c.duplicates));
    metrics_.result("dropped").Increment(static_cast<double>(c.refused));
    metrics_.results_journaled.Set(static_cast<double>(c.remaining));
    if (c.applied + c.duplicates > 0) {
      spdlog::info("journal: delivered {} result(s), {} still waiting", c.applied + c.duplicates, c.remaining);
    }
  };
  redelivery_in_flight_ = io_->call<DeliveryCounts>(std::move(job), std::move(done));
}

}  // namespace qbot::server
