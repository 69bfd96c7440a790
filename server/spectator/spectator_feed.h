#pragma once
// The tick thread's side of spectating: once per spectator tick
// (--spectator-rate) it writes one frame per watched arena (whoever and
// however many watch it), holds it back for --spectator-delay in a bounded
// ring, and then hands it to the hub, which sends it off the tick thread.
// It also refreshes the arena list (/api/arenas) on every spectator tick.
// Kills reach it through on_events (from the arena stepper), since a frame
// sees only the world.
//
// State: one stream per arena (its FrameTrack, delay ring and map message),
// created when the arena is first seen and dropped when it closes.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "proto/messages.h"
#include "server/arena/arena_directory.h"
#include "server/spectator/json_writer.h"
#include "server/spectator/spectator_frame.h"
#include "server/spectator/spectator_hub.h"

namespace qbot::server::spectator {

struct FeedSettings {
  std::uint32_t tick_rate = 60;  // simulation Hz
  std::uint32_t rate_hz = 15;    // frames per second per watched arena
  float delay_s = 0.0f;          // frames are shown this long after they happened
};

class SpectatorFeed {
 public:
  SpectatorFeed(const FeedSettings& settings, SpectatorHub& hub, SpectatorMetrics& metrics);

  /// Every tick, with the arena's match events of that tick (kills for the feed).
  void on_events(const Arena& arena, std::span<const proto::MatchEvent> events);
  /// Every tick: on spectator ticks builds the watched arenas' frames and the
  /// arena list, and releases every frame whose delay has passed.
  void tick(ArenaDirectory& arenas, std::uint64_t tick_count);
  /// Frames a stream holds back at most (the delay ring's capacity).
  std::size_t ring_capacity() const { return ring_capacity_; }

 private:
  struct Stream {
    FrameTrack track;
    std::deque<FramePtr> delayed;  // oldest first, at most ring_capacity_
    std::shared_ptr<const std::string> map;
    std::uint64_t map_identity = 0;
  };
  void capture(Arena& arena, Stream& stream);
  void release(std::uint32_t arena, Stream& stream, core::Tick now);
  void publish_list(ArenaDirectory& arenas);

  FeedSettings settings_;
  SpectatorHub& hub_;
  SpectatorMetrics& metrics_;
  std::uint64_t period_ticks_;
  core::Tick delay_ticks_;
  std::size_t ring_capacity_;
  std::map<ArenaId, Stream> streams_;
  std::uint64_t spectator_ticks_ = 0;
  std::vector<BotLabel> labels_;  // scratch
  JsonWriter writer_;             // scratch
};

}  // namespace qbot::server::spectator
