#include "server/matchmade/match_host.h"

#include <spdlog/spdlog.h>

#include "server/store/record_codec.h"
#include "sim/loadout.h"

namespace qbot::server {
namespace {

using proto::RejectReason;

constexpr std::size_t kInboxBatch = 32;                     // matches taken per inbox read
constexpr std::chrono::milliseconds kParkedJoinWait{3000};  // a token may beat its match to our inbox

}  // namespace

MatchHost::MatchHost(const Config& cfg, Clients& clients, ArenaDirectory& arenas, IoWorker& io, Metrics& metrics,
                     const sim::Catalog& catalog, const token::Key& key, Clock clock, UnixClock unix_ms)
    : cfg_(cfg),
      clients_(clients),
      arenas_(arenas),
      io_(io),
      metrics_(metrics),
      catalog_(catalog),
      clock_(std::move(clock)),
      unix_ms_(std::move(unix_ms)),
      hosted_(key, cfg.server_id),
      journal_(std::make_unique<ResultJournal>(cfg.journal_dir)) {}

std::vector<MatchId> MatchHost::hosted_ids() const {
  std::vector<MatchId> ids;
  for (const auto& [id, match] : hosted_.all()) ids.push_back(id);
  return ids;
}

// ---------------------------------------------------------------------------
// Joining
// ---------------------------------------------------------------------------
void MatchHost::admit_join(Session& s, std::span<const std::uint8_t> token, Nanos now) {
  auto admitted = hosted_.admit(token, unix_ms_());
  if (!admitted) {
    const JoinRefusal& why = admitted.error();
    if (why.not_yet_known) {
      // The matchmaker wrote the match before we read our inbox: wait a
      // little; each inbox read retries parked sessions.
      if (s.parked_join.empty()) {
        s.parked_join.assign(token.begin(), token.end());
        s.deadline = now + kParkedJoinWait;
        poll_inbox();
      }
      return;
    }
    s.parked_join.clear();
    clients_.reject(s, why.reason, why.text, now);
    return;
  }
  s.parked_join.clear();
  HostedMatch& match = *admitted->match;
  const MatchSlot& slot = *admitted->slot;
  Arena* arena = arenas_.find(match.arena);
  if (arena == nullptr) {
    clients_.reject(s, RejectReason::WrongMatch, "match " + std::to_string(match.assignment.id) + " is over", now);
    return;
  }
  auto resolved = sim::resolve_loadout(catalog_, slot.bot.loadout);
  // The bot was valid when queued; if our catalog disagrees, play the default
  // rather than keep the player out of a match others are waiting for.
  sim::Loadout loadout = resolved ? std::move(resolved.value()) : sim::default_loadout(catalog_, slot.bot.loadout.name);
  s.account = slot.account;
  clients_.place(s, *arena, loadout, Seat{slot.account, slot.bot.id, slot.team}, now);
}

void MatchHost::retry_parked_joins(Nanos now) {
  std::vector<SessionId> parked;
  for (const auto& [id, s] : clients_.sessions()) {
    if (s.state == SessionState::AwaitingHello && !s.parked_join.empty()) parked.push_back(id);
  }
  for (const SessionId id : parked) {
    Session* s = clients_.find(id);
    if (s == nullptr) continue;
    const std::vector<std::uint8_t> token = s->parked_join;
    admit_join(*s, token, now);
  }
}

// ---------------------------------------------------------------------------
// The inbox
// ---------------------------------------------------------------------------
void MatchHost::poll_inbox() {
  if (inbox_in_flight_ || stopped_) return;
  const std::string id = cfg_.server_id;
  auto job = [id](Store& store) { return store.take_matches(id, kInboxBatch); };
  auto done = [this](StoreResult<std::vector<MatchAssignment>>& taken) {
    inbox_in_flight_ = false;
    if (!taken) return;  // counted and logged, rate-limited, by the store (CountedStore)
    host(*taken, clock_());
  };
  inbox_in_flight_ = io_.call<StoreResult<std::vector<MatchAssignment>>>(std::move(job), std::move(done));
  if (!inbox_in_flight_) metrics_.store_jobs_dropped.Increment();
}

void MatchHost::host(std::vector<MatchAssignment>& matches, Nanos now) {
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
  retry_parked_joins(now);
}

// ---------------------------------------------------------------------------
// Match lifetime
// ---------------------------------------------------------------------------
void MatchHost::tend(Nanos now) {
  poll_inbox();
  std::vector<ArenaId> finished;
  for (auto& [id, hosted] : hosted_.all()) {
    Arena* arena = arenas_.find(hosted.arena);
    if (arena == nullptr) continue;
    if (arena->finished()) {
      finished.push_back(arena->id());
    } else if (now >= hosted.join_deadline && arena->phase() == proto::MatchPhase::Waiting) {
      start_or_abandon(hosted, *arena, now, finished);
    }
  }
  for (const ArenaId id : finished) {
    if (Arena* arena = arenas_.find(id)) close(*arena, now);
  }
  post_results();
}

/// Not everyone came in time: start with whoever did (at least one
/// opponent); with fewer than two players after another join timeout, give up.
void MatchHost::start_or_abandon(HostedMatch& hosted, Arena& arena, Nanos now, std::vector<ArenaId>& finished) {
  const auto present = static_cast<std::uint32_t>(arena.players().size());
  if (present >= 2 && arena.min_players() > present) {
    spdlog::info("match {}: {} of {} players joined in time; starting", hosted.assignment.id, present,
                 hosted.assignment.slots.size());
    arena.lower_min_players(present);
  } else if (now >= hosted.join_deadline + std::chrono::seconds(cfg_.match_join_timeout_s) && present < 2) {
    spdlog::warn("match {}: abandoned ({} of {} players came)", hosted.assignment.id, present,
                 hosted.assignment.slots.size());
    finished.push_back(arena.id());
  }
}

void MatchHost::close(Arena& arena, Nanos now) {
  const ArenaId id = arena.id();
  std::vector<SessionId> players;
  for (const ArenaPlayer& p : arena.players()) players.push_back(p.session);
  for (const SessionId sid : players) {
    Session* s = clients_.find(sid);
    if (s == nullptr) continue;
    if (s->state == SessionState::Orphaned) clients_.remove(sid);
    else clients_.reject(*s, RejectReason::MatchOver, "match over", now);
  }
  for (auto& [mid, hosted] : hosted_.all()) {
    if (hosted.arena == id) {
      hosted_.remove(mid);
      break;
    }
  }
  arenas_.close(id);
}

void MatchHost::stop_hosting() { stopped_ = true; }

bool MatchHost::settled() const {
  return hosted_.all().empty() && unsent_results_.empty() && deliveries_in_flight_ == 0 && !redelivery_in_flight_ &&
         journaled_ == 0 && !inbox_in_flight_;
}

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------
void MatchHost::report_result(const Arena& arena, const proto::MatchEnded& ended) {
  HostedMatch* hosted = hosted_.find(ended.match_id);
  if (hosted == nullptr) return;
  unsent_results_.push_back(store_result(hosted->assignment, ended, arena.players(), unix_ms_()));
  post_results();
}

void MatchHost::count(const DeliveryCounts& c) {
  metrics_.result("applied").Increment(static_cast<double>(c.applied));
  metrics_.result("duplicate").Increment(static_cast<double>(c.duplicates));
  metrics_.result("journaled").Increment(static_cast<double>(c.journaled));
  metrics_.result("dropped").Increment(static_cast<double>(c.refused + c.lost));
}

void MatchHost::post_results() {
  // Write-ahead: each result goes to the journal first, on the IoWorker's
  // disk lane (never behind a stalled store call), and only then to the
  // store on the store lane, which removes the file once the store has it.
  // If the worker is full the result stays here and the next tend (~100 ms)
  // posts it again: nothing is lost, and the tick never touches the disk.
  while (!unsent_results_.empty()) {
    auto result = std::make_shared<MatchResult>(unsent_results_.front());
    ResultJournal* journal = journal_.get();
    auto save = [result, journal] { return journal_first(*journal, *result); };
    auto saved = [this, result](bool& in_journal) { submit_saved(result, in_journal); };
    if (!io_.call_disk<bool>(std::move(save), std::move(saved))) {
      metrics_.store_jobs_dropped.Increment();
      return;
    }
    deliveries_in_flight_ += 1;
    unsent_results_.erase(unsent_results_.begin());
  }
}

void MatchHost::submit_saved(const std::shared_ptr<MatchResult>& result, bool in_journal) {
  ResultJournal* journal = journal_.get();
  auto job = [result, journal, in_journal](Store& store) {
    return deliver_journaled(store, *journal, *result, in_journal);
  };
  // deliveries_in_flight_ counts a result from post_results until its
  // submit answers (or cannot be posted), so a drain waits for both steps.
  auto done = [this](DeliveryCounts& c) {
    deliveries_in_flight_ -= 1;
    count(c);
    journaled_ += c.journaled;
    if (c.journaled > 0) metrics_.results_journaled.Increment(static_cast<double>(c.journaled));
  };
  if (io_.call<DeliveryCounts>(std::move(job), std::move(done))) return;
  deliveries_in_flight_ -= 1;
  metrics_.store_jobs_dropped.Increment();
  if (in_journal) journaled_ += 1;
  // On disk: the next redelivery submits it. Not on disk: try again from the start.
  if (!in_journal) unsent_results_.push_back(*result);
}

void MatchHost::redeliver() {
  if (redelivery_in_flight_) return;
  ResultJournal* journal = journal_.get();
  auto job = [journal](Store& store) { return redeliver_journaled(store, *journal); };
  auto done = [this](DeliveryCounts& c) {
    redelivery_in_flight_ = false;
    count(c);
    journaled_ = c.remaining;
    metrics_.results_journaled.Set(static_cast<double>(c.remaining));
    if (c.applied + c.duplicates > 0) {
      spdlog::info("journal: delivered {} result(s), {} still waiting", c.applied + c.duplicates, c.remaining);
    }
  };
  redelivery_in_flight_ = io_.call<DeliveryCounts>(std::move(job), std::move(done));
}

void MatchHost::keep_unsent_results() {
  post_results();
  // The IoWorker's queue stayed full: keep them on disk for the next run.
  for (const MatchResult& r : unsent_results_) {
    if (auto saved = journal_->save(r); !saved) {
      spdlog::error("match {}: result lost at shutdown: {}", r.match_id, saved.error());
    }
  }
  unsent_results_.clear();
}

}  // namespace qbot::server
