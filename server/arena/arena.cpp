#include "server/arena/arena.h"

#include <algorithm>

#include "core/hash.h"
#include "server/arena/match_results.h"
#include "server/snapshot/world_frame.h"
#include "sim/world_hash.h"

namespace qbot::server {

using proto::MatchPhase;

Arena::Arena(ArenaId id, const ArenaContent& content, const MatchSettings& settings, std::uint64_t seed,
             std::size_t capacity, std::string server_id)
    : id_(id),
      content_(content),
      settings_(settings),
      capacity_(std::min<std::size_t>(capacity, sim::kMaxBots)),
      server_id_(std::move(server_id)),
      rng_(seed, id) {
  settings_.rules.team_mode = settings_.mode == proto::GameMode::TeamDeathmatch;
  world_ = fresh_world(false, rng_.next_u32());
  frame_ = frame_from_world(world_);
}

sim::World Arena::fresh_world(bool combat, std::uint64_t seed) const {
  sim::Rules rules = settings_.rules;
  rules.combat_enabled = combat;
  sim::World w = sim::make_world(*content_.catalog, *content_.maps[map_index_].map, rules, seed);
  w.tick = world_.tick;  // ticks never go back: clients ack and delta by tick
  return w;
}

std::uint8_t Arena::pick_team() const {
  if (!settings_.rules.team_mode) return 0;
  const auto on = [&](std::uint8_t t) {
    return std::count_if(players_.begin(), players_.end(), [&](const auto& p) { return p.team == t; });
  };
  return on(2) < on(1) ? 2 : 1;
}

std::optional<sim::EntityId> Arena::add_player(SessionId session, std::uint32_t player_id, const sim::Loadout& loadout,
                                               const Seat& seat) {
  if (full()) return std::nullopt;
  // Lowest free bot id: ids stay small, and a leaver's id is reused.
  sim::EntityId entity = 1;
  while (sim::find_bot(world_, entity) != nullptr) ++entity;
  const std::uint8_t team = seat.team && settings_.rules.team_mode ? *seat.team : pick_team();
  if (!sim::add_bot(world_, entity, team, loadout)) return std::nullopt;
  players_.push_back({session, player_id, entity, loadout.name, team, loadout, seat.account, seat.bot_id});
  if (recording_) record_join(players_.back());
  frame_ = frame_from_world(world_);
  return entity;
}

bool Arena::remove_player(SessionId session) {
  auto it = std::find_if(players_.begin(), players_.end(), [&](const ArenaPlayer& p) { return p.session == session; });
  if (it == players_.end()) return false;
  sim::remove_bot(world_, it->entity);
  if (recording_) {
    recording_->roster.push_back({world_.tick, false, it->entity, it->team, it->player_id, it->name, {}});
  }
  players_.erase(it);
  frame_ = frame_from_world(world_);
  return true;
}

const ArenaPlayer* Arena::find_player(SessionId session) const {
  auto it = std::find_if(players_.begin(), players_.end(), [&](const ArenaPlayer& p) { return p.session == session; });
  return it == players_.end() ? nullptr : &*it;
}

bool Arena::rebind_player(SessionId from, SessionId to) {
  auto it = std::find_if(players_.begin(), players_.end(), [&](const ArenaPlayer& p) { return p.session == from; });
  if (it == players_.end()) return false;
  it->session = to;
  return true;
}

void Arena::record_join(const ArenaPlayer& p) {
  recording_->roster.push_back({world_.tick, true, p.entity, p.team, p.player_id, p.name, p.loadout});
}

proto::PhaseChanged Arena::phase_event() const { return {phase_, phase_ends_, match_id_, map().name, map().identity}; }

void Arena::enter(MatchPhase phase, core::Tick ends, TickOutput& out) {
  phase_ = phase;
  phase_ends_ = ends;
  out.events.push_back({world_.tick, phase_event()});
}

void Arena::step(std::span<const sim::BotCommand> commands, TickOutput& out) {
  const auto events = sim::step(world_, commands);
  const core::Tick now = world_.tick;

  if (phase_ == MatchPhase::Battle) {
    for (const sim::Event& e : events) {
      if (e.kind != sim::Event::Kind::Kill) continue;
      out.events.push_back({now, proto::Kill{e.actor, e.target, catalog().weapons[e.part].id}});
    }
    if (recording_) {
      for (const sim::BotCommand& c : commands) recording_->commands.push_back({now, c});
      if ((now - recording_->start_tick) % settings_.rules.tick_rate == 0) {
        recording_->checkpoints.push_back({now, sim::world_hash(world_)});
      }
    }
  }

  const bool enough = players_.size() >= settings_.min_players;
  switch (phase_) {
    case MatchPhase::Waiting:
      if (enough) enter(MatchPhase::Countdown, now + ticks(settings_.countdown_s), out);
      break;
    case MatchPhase::Countdown:
      if (!enough) enter(MatchPhase::Waiting, 0, out);
      else if (now >= phase_ends_) start_battle(out);
      break;
    case MatchPhase::Battle:
      if (auto reason = battle_over()) end_battle(*reason, out);
      break;
    case MatchPhase::Results:
      if (now < phase_ends_) break;
      if (settings_.matchmade_id != 0) finished_ = true;  // one battle only; the server closes it
      else reset_arena(out);
      break;
  }
  frame_ = frame_from_world(world_);
}

std::optional<proto::EndReason> Arena::battle_over() const {
  if (players_.size() < settings_.min_players) return proto::EndReason::NotEnoughPlayers;
  if (settings_.score_limit > 0) {
    const auto limit = static_cast<std::int32_t>(settings_.score_limit);
    if (settings_.rules.team_mode) {
      const auto scores = team_scores(world_);
      if (scores[1] >= limit || scores[2] >= limit) return proto::EndReason::ScoreLimit;
    } else if (std::any_of(world_.bots.begin(), world_.bots.end(),
                           [&](const sim::Bot& b) { return b.score >= limit; })) {
      return proto::EndReason::ScoreLimit;
    }
  }
  if (world_.tick >= phase_ends_) return proto::EndReason::TimeLimit;
  return std::nullopt;
}

void Arena::start_battle(TickOutput& out) {
  core::Fnv1a h;
  h.add(std::string_view(server_id_));
  h.add(id_);
  h.add(rng_.next_u32());
  h.add(world_.tick);
  match_id_ = settings_.matchmade_id != 0 ? settings_.matchmade_id : h.value();
  // A matchmade battle waited for everyone assigned; once it runs, only
  // running out of opponents ends it early.
  if (settings_.matchmade_id != 0) settings_.min_players = std::min<std::uint32_t>(settings_.min_players, 2);
  const std::uint64_t seed = (std::uint64_t{rng_.next_u32()} << 32) | rng_.next_u32();
  world_ = fresh_world(true, seed);

  if (settings_.record) {
    recording_.emplace();
    replay::Recording& r = *recording_;
    r.match_id = match_id_;
    r.server_id = server_id_;
    r.mode = settings_.mode;
    r.catalog_binary.assign(content_.catalog_binary.begin(), content_.catalog_binary.end());
    const auto& map_bin = content_.maps[map_index_].binary;
    r.map_binary.assign(map_bin.begin(), map_bin.end());
    r.rules = world_.rules;
    r.seed = seed;
    r.start_tick = world_.tick;
    r.commands.reserve(std::size_t{ticks(settings_.match_duration_s)} * players_.size());
  }
  // Bots join the fresh world in entity order (deterministic spawn picks).
  std::vector<ArenaPlayer*> order;
  for (ArenaPlayer& p : players_) order.push_back(&p);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->entity < b->entity; });
  for (ArenaPlayer* p : order) {
    sim::add_bot(world_, p->entity, p->team, p->loadout);
    if (recording_) record_join(*p);
  }
  enter(MatchPhase::Battle, world_.tick + ticks(settings_.match_duration_s), out);
}

void Arena::end_battle(proto::EndReason reason, TickOutput& out) {
  std::vector<ResultPlayer> who;
  for (const ArenaPlayer& p : players_) who.push_back({p.player_id, p.entity, p.name});
  MatchResults results = compute_results(world_, who, settings_.mode);
  for (proto::PlayerResult& row : results.rows) {
    const auto p =
        std::find_if(players_.begin(), players_.end(), [&](const auto& q) { return q.player_id == row.player_id; });
    if (p != players_.end()) row.account_id = p->account;
  }
  matches_finished_ += 1;
  if (recording_) {
    replay::Recording& r = *recording_;
    r.end_tick = world_.tick;
    if (r.checkpoints.empty() || r.checkpoints.back().tick != world_.tick) {
      r.checkpoints.push_back({world_.tick, sim::world_hash(world_)});
    }
    r.end_reason = reason;
    r.winner_team = results.winner_team;
    r.results = results.rows;
    out.finished_battle = std::move(recording_);
    recording_.reset();
  }
  out.events.push_back(
      {world_.tick, proto::MatchEnded{match_id_, reason, results.winner_team, std::move(results.rows)}});
  world_.rules.combat_enabled = false;  // the results screen is peaceful
  enter(MatchPhase::Results, world_.tick + ticks(settings_.results_s), out);
}

void Arena::reset_arena(TickOutput& out) {
  map_index_ = (map_index_ + 1) % content_.maps.size();
  world_ = fresh_world(false, rng_.next_u32());
  for (const ArenaPlayer& p : players_) sim::add_bot(world_, p.entity, p.team, p.loadout);
  enter(MatchPhase::Waiting, 0, out);
  if (players_.size() >= settings_.min_players) {
    enter(MatchPhase::Countdown, world_.tick + ticks(settings_.countdown_s), out);
  }
}

}  // namespace qbot::server
