#pragma once
// What a headless bot does each tick. Deterministic per seed, cheap (a load
// test runs thousands of these), and driven only by what the bot has
// actually seen in snapshots, like a real client.
#include <cstdint>

#include "core/rng.h"
#include "proto/entity_state.h"
#include "sim/catalog.h"
#include "sim/command.h"

namespace qbot::client {

/// What the bot knows about itself from the handshake.
struct SelfInfo {
  std::uint16_t entity = 0;
  std::uint8_t team = 0;        // 0 = free-for-all: everyone else is an enemy
  float primary_range = 20.0f;  // m, from the catalog
  float secondary_range = 20.0f;
  float map_width = 64.0f;  // m; keeps wandering bots off the edges
  float map_height = 64.0f;
};

/// Seek the nearest visible enemy, keep a fighting distance, strafe, aim
/// and fire whichever weapon is in range, and use the module in a fight
/// (or when hurt). With no enemy in view, wander.
class Fighter {
 public:
  explicit Fighter(std::uint64_t seed) : rng_(seed) {}

  /// `frame` may be null before the first snapshot arrives.
  sim::Command next(const proto::Frame* frame, const SelfInfo& self, std::uint32_t tick_rate);

 private:
  sim::Command wander(const proto::EntityState* me, const SelfInfo& self, std::uint32_t tick_rate);

  core::Rng rng_;
  std::uint32_t ticks_left_ = 0;  // of the current wander leg / strafe direction
  float heading_ = 0.0f;
  float aim_ = 0.0f;
  float strafe_ = 1.0f;
};

}  // namespace qbot::client
