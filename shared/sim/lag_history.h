#pragma once
// Where every bot was on each of the last kCapacity ticks, so a hitscan shot
// can be checked against the world the shooter saw (Source-style lag
// compensation). Part of the World, so replays rewind exactly like the server.
#include <array>
#include <cstdint>
#include <vector>

#include "core/tick.h"
#include "sim/ids.h"
#include "sim/vec2.h"

namespace qbot::sim {

struct PastBot {
  EntityId id = 0;
  bool alive = false;
  Vec2 pos;
};

class LagHistory {
 public:
  /// Ticks remembered; Rules::max_rewind_ticks must stay below it.
  static constexpr std::uint32_t kCapacity = 64;

  /// Stores the bots (ascending id) as they are at the end of `tick`.
  void record(core::Tick tick, const std::vector<PastBot>& bots);
  /// Bots at the end of `tick`; nullptr when that tick is not remembered.
  const std::vector<PastBot>* at(core::Tick tick) const;

 private:
  struct Entry {
    core::Tick tick = 0;
    std::vector<PastBot> bots;
  };
  std::array<Entry, kCapacity> entries_{};
};

}  // namespace qbot::sim
