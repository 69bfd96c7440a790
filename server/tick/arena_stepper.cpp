#include "server/tick/arena_stepper.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/tick/replay_saver.h"

namespace qbot::server {
namespace {

SnapshotPolicy snapshot_policy(const Config& cfg) {
  SnapshotPolicy p;
  p.full_only = cfg.full_snapshots;
  p.interest_radius_q = proto::quantize_pos(cfg.interest_radius_m);
  p.max_bytes = cfg.client_budget_bytes_per_s * cfg.snapshot_interval / cfg.tick_rate;
  p.tick_rate = cfg.tick_rate;
  return p;
}

std::string_view end_reason_text(proto::EndReason reason) {
  switch (reason) {
    case proto::EndReason::ScoreLimit: return "score limit";
    case proto::EndReason::TimeLimit: return "time limit";
    case proto::EndReason::NotEnoughPlayers: break;
  }
  return "not enough players";
}

void log_match_end(const Arena& arena, const proto::MatchEnded& end) {
  std::string line;
  for (const auto& r : end.results) {
    line += " " + std::to_string(r.placement) + "." + r.name + " " + std::to_string(r.kills) + "/" +
            std::to_string(r.deaths);
  }
  spdlog::info("arena {} match {:016x} ended ({}):{}", arena.id(), end.match_id, end_reason_text(end.reason), line);
}

}  // namespace

ArenaStepper::ArenaStepper(const Config& cfg, Clients& clients, net::NetWorker& net, IoWorker& io, Metrics& metrics,
                           MatchEnded on_match_ended)
    : cfg_(cfg),
      clients_(clients),
      net_(net),
      io_(io),
      metrics_(metrics),
      on_match_ended_(std::move(on_match_ended)),
      snapshot_policy_(snapshot_policy(cfg)),
      workers_(cfg.workers) {
  for (std::size_t i = 0; i < workers_.lanes(); ++i) lanes_.push_back(std::make_unique<Lane>());
}

void ArenaStepper::step(ArenaDirectory& arenas) {
  work_.resize(arenas.size());
  std::size_t n = 0;
  for (auto& [id, arena] : arenas.arenas()) work_[n++].arena = arena.get();
  // Arenas share nothing while they step: each reads only its own players'
  // sessions (inputs, snapshot baselines), so they can run on any lane.
  workers_.run(n, [this](std::size_t i, std::size_t lane) { simulate(work_[i], *lanes_[lane]); });
  for (std::size_t i = 0; i < n; ++i) deliver(work_[i]);
}

TickCounts ArenaStepper::take_counts() {
  TickCounts c;
  for (auto& lane : lanes_) {
    c.inputs_applied += lane->counts.inputs_applied;
    c.inputs_late += lane->counts.inputs_late;
    c.snapshots_full += lane->counts.snapshots_full;
    c.snapshots_delta += lane->counts.snapshots_delta;
    lane->counts = {};
  }
  return c;
}

void ArenaStepper::simulate(ArenaWork& work, Lane& lane) {
  Arena& arena = *work.arena;
  lane.commands.clear();
  // Looked up once per tick: the session map is the tick's hottest cache
  // miss, and build_snapshots needs the same sessions (step() does not
  // change who plays).
  lane.sessions.clear();
  for (const ArenaPlayer& p : arena.players()) {
    Session* s = clients_.find(p.session);
    lane.sessions.push_back(s);
    if (s == nullptr) continue;
    bool fresh = false;
    const std::uint32_t late_before = s->inputs.late();
    const sim::Command cmd = s->inputs.next(fresh);
    lane.counts.inputs_applied += fresh ? 1 : 0;
    lane.counts.inputs_late += s->inputs.late() - late_before;
    lane.commands.push_back({p.entity, cmd});
  }
  work.out.events.clear();
  work.out.finished_battle.reset();
  arena.step(lane.commands, work.out);
  work.bytes.clear();
  work.packets.clear();
  if (arena.world().tick % cfg_.snapshot_interval == 0) build_snapshots(work, lane);
}

void ArenaStepper::build_snapshots(ArenaWork& work, Lane& lane) {
  const Arena& arena = *work.arena;
  const proto::Frame& frame = arena.frame();
  const auto& players = arena.players();
  for (std::size_t i = 0; i < players.size(); ++i) {
    const ArenaPlayer& p = players[i];
    Session* s = lane.sessions[i];
    if (s == nullptr || s->state != SessionState::Active) continue;
    const Viewer viewer{p.entity, p.team, s->inputs.last_applied()};
    const auto built = s->snapshots.build(frame, viewer, s->acked_snapshot, snapshot_policy_, lane.entities);
    proto::Snapshot msg;
    msg.server_tick = frame.tick;
    msg.data = lane.entities;
    // Pacing feedback: what was waiting when this tick took its command.
    msg.input_queue = static_cast<std::uint8_t>(std::min<std::size_t>(s->inputs.waiting_at_take(), 255));
    msg.inputs_dropped = s->inputs.lost();
    const auto bytes = lane.encoder.encode(msg);
    work.packets.push_back(
        {s->peer, static_cast<std::uint32_t>(work.bytes.size()), static_cast<std::uint32_t>(bytes.size())});
    work.bytes.insert(work.bytes.end(), bytes.begin(), bytes.end());
    (built.baseline_tick == 0 ? lane.counts.snapshots_full : lane.counts.snapshots_delta) += 1;
  }
}

void ArenaStepper::deliver(ArenaWork& work) {
  Arena& arena = *work.arena;
  for (const proto::MatchEvent& e : work.out.events) {
    if (std::holds_alternative<proto::Kill>(e.body)) metrics_.kills.Increment();
    if (const auto* end = std::get_if<proto::MatchEnded>(&e.body)) {
      metrics_.matches_finished.Increment();
      on_match_ended_(arena, *end);
      log_match_end(arena, *end);
    }
    clients_.broadcast(arena, clients_.encoder().encode(e), 0);
  }
  if (tap_ && !work.out.events.empty()) tap_(arena, work.out.events);
  if (work.out.finished_battle) {
    save_replay(io_, metrics_, cfg_.record_dir, *work.out.finished_battle);
  }
  for (const ArenaWork::Packet& p : work.packets) {
    net_.send(p.peer, net::kGameChannel, std::span(work.bytes).subspan(p.offset, p.size), net::Delivery::Unreliable);
  }
}

}  // namespace qbot::server
