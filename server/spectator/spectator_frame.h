#pragma once
// One spectator frame: the whole arena as a spectator sees it (no interest
// limit), written as compact JSON (the wire format is in README.md beside
// this file). The same writer serves the live view (server/spectator's feed)
// and `qbot-replay html` (frames re-simulated from a recording), so both
// pages draw the same thing.
//
// A FrameTrack is the memory of one stream of frames (one arena, or one
// replay): the previous frame's tick and who was alive then (so a frame lists
// the deaths, respawns and hitscan shots since the previous one) and the last
// kills (the kill feed). It lives as long as its stream; nothing in it is
// shared between threads.
#include <array>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>

#include "core/tick.h"
#include "server/spectator/json_writer.h"
#include "sim/world.h"

namespace qbot::server::spectator {

/// Who a bot is, beyond the simulation: its name and paint colour.
struct BotLabel {
  sim::EntityId entity = 0;
  std::string_view name;
  std::uint32_t paint = 0;  // 0xRRGGBB
};

/// What a frame shows besides the world: the match around it.
struct FrameScene {
  const sim::World& world;
  std::span<const BotLabel> labels;
  std::uint32_t arena = 0;
  std::string_view phase;     // proto::match_phase_name
  core::Tick phase_ends = 0;  // 0 = no timer
  std::uint64_t match_id = 0;
  std::string_view mode;  // proto::game_mode_code
};

/// Kill feed lines kept (newest last).
constexpr std::size_t kKillFeedLines = 6;

class FrameTrack {
 public:
  /// Remembers a kill for the feed. Names are copied (untrusted text: the
  /// writer escapes it).
  void on_kill(core::Tick tick, std::string_view killer, std::string_view victim, std::string_view weapon);

  /// Writes the frame of `scene` into `out` (cleared first) and advances the
  /// track to the scene's tick. Never fails: a bot without a label is drawn
  /// nameless and white.
  void write_frame(const FrameScene& scene, JsonWriter& out);

 private:
  struct KillLine {
    core::Tick tick = 0;
    std::string killer, victim, weapon;
  };
  void write_entities(const FrameScene& scene, JsonWriter& out) const;
  void write_events(const sim::World& world, JsonWriter& out);
  void write_traces(const sim::World& world, JsonWriter& out) const;
  void write_kill_feed(JsonWriter& out) const;

  core::Tick last_tick_ = 0;
  // Alive state at the previous frame, by bot id: 0 unseen, 1 alive, 2 dead.
  std::array<std::uint8_t, sim::kMaxBots + 1> was_alive_{};
  std::deque<KillLine> kills_;
};

/// The map as one JSON message: {"type":"map","id","name","w","h","walls"}
/// in centimetres. Written once per map, not per frame.
std::string map_message(const sim::Map& map);

}  // namespace qbot::server::spectator
