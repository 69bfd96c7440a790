#include "server/spectator/spectator_feed.h"

#include <algorithm>
#include <cmath>

namespace qbot::server::spectator {
namespace {

std::string_view player_name(const Arena& arena, std::uint16_t entity) {
  const auto& ps = arena.players();
  const auto it = std::find_if(ps.begin(), ps.end(), [&](const ArenaPlayer& p) { return p.entity == entity; });
  return it == ps.end() ? std::string_view{"?"} : std::string_view{it->name};
}

}  // namespace

SpectatorFeed::SpectatorFeed(const FeedSettings& settings, SpectatorHub& hub, SpectatorMetrics& metrics)
    : settings_(settings),
      hub_(hub),
      metrics_(metrics),
      period_ticks_(std::max<std::uint64_t>(1, settings.tick_rate / std::max<std::uint32_t>(1, settings.rate_hz))),
      delay_ticks_(static_cast<core::Tick>(std::lround(settings.delay_s * static_cast<float>(settings.tick_rate)))),
      ring_capacity_(static_cast<std::size_t>(delay_ticks_ / period_ticks_) + 2) {}

void SpectatorFeed::on_events(const Arena& arena, std::span<const proto::MatchEvent> events) {
  Stream* stream = nullptr;
  for (const proto::MatchEvent& e : events) {
    const auto* kill = std::get_if<proto::Kill>(&e.body);
    if (kill == nullptr) continue;
    if (stream == nullptr) stream = &streams_[arena.id()];
    stream->track.on_kill(e.tick, player_name(arena, kill->killer), player_name(arena, kill->victim), kill->weapon);
  }
}

void SpectatorFeed::tick(ArenaDirectory& arenas, std::uint64_t tick_count) {
  const bool spectator_tick = tick_count % period_ticks_ == 0;
  if (spectator_tick) {
    const std::vector<std::uint32_t> watched = hub_.watched();
    for (auto& [id, arena] : arenas.arenas()) {
      if (std::find(watched.begin(), watched.end(), id) != watched.end()) capture(*arena, streams_[id]);
    }
    // The list once a second: it is read by people, not drawn.
    if (++spectator_ticks_ % settings_.rate_hz == 1 || settings_.rate_hz == 1) publish_list(arenas);
  }
  for (auto it = streams_.begin(); it != streams_.end();) {
    Arena* arena = arenas.find(it->first);
    if (arena == nullptr) {
      it = streams_.erase(it);  // closed: its frames are of a match nobody can join any more
      continue;
    }
    release(it->first, it->second, arena->world().tick);
    ++it;
  }
}

void SpectatorFeed::capture(Arena& arena, Stream& stream) {
  const sim::Map& map = arena.map();
  if (stream.map == nullptr || stream.map_identity != map.identity) {
    stream.map = std::make_shared<const std::string>(map_message(map));
    stream.map_identity = map.identity;
  }
  labels_.clear();
  for (const ArenaPlayer& p : arena.players()) labels_.push_back({p.entity, p.name, p.loadout.paint});
  const proto::PhaseChanged phase = arena.phase_event();
  const FrameScene scene{arena.world(),
                         labels_,
                         arena.id(),
                         proto::match_phase_name(phase.phase),
                         phase.ends_tick,
                         arena.match_id(),
                         proto::game_mode_code(arena.mode())};
  stream.track.write_frame(scene, writer_);
  auto frame = std::make_shared<SpectatorFrame>();
  frame->tick = arena.world().tick;
  frame->json = writer_.text();
  frame->map = stream.map;
  metrics_.frames_built.Increment();
  // Full ring: the oldest frame goes (only if the tick rate changed under us;
  // capacity covers the delay at the spectator rate).
  if (stream.delayed.size() >= ring_capacity_) stream.delayed.pop_front();
  stream.delayed.push_back(std::move(frame));
}

void SpectatorFeed::release(std::uint32_t arena, Stream& stream, core::Tick now) {
  while (!stream.delayed.empty() && stream.delayed.front()->tick + delay_ticks_ <= now) {
    hub_.publish(arena, stream.delayed.front());
    stream.delayed.pop_front();
  }
}

void SpectatorFeed::publish_list(ArenaDirectory& arenas) {
  JsonWriter& w = writer_;
  w.clear();
  w.open_object();
  w.key("type");
  w.string("arenas");
  w.key("arenas");
  w.open_array();
  std::vector<std::uint32_t> ids;
  for (auto& [id, arena] : arenas.arenas()) {
    ids.push_back(id);
    w.open_object();
    w.key("id");
    w.number(id);
    w.key("map");
    w.string(arena->map().name);
    w.key("mode");
    w.string(proto::game_mode_code(arena->mode()));
    w.key("phase");
    w.string(proto::match_phase_name(arena->phase()));
    w.key("capacity");
    w.number(static_cast<std::int64_t>(arena->capacity()));
    w.key("players");
    w.open_array();
    for (const ArenaPlayer& p : arena->players()) {
      const sim::Bot* b = sim::find_bot(arena->world(), p.entity);
      w.open_object();
      w.key("name");
      w.string(p.name);
      w.key("team");
      w.number(p.team);
      w.key("kills");
      w.number(b != nullptr ? b->kills : 0);
      w.key("deaths");
      w.number(b != nullptr ? b->deaths : 0);
      w.key("score");
      w.number(b != nullptr ? b->score : 0);
      w.close_object();
    }
    w.close_array();
    w.close_object();
  }
  w.close_array();
  w.close_object();
  hub_.set_arenas(w.text(), std::move(ids));
}

}  // namespace qbot::server::spectator
