#pragma once
// What a headless bot does each tick. Deterministic per seed, cheap (a load
// test runs thousands of these), and driven only by what the bot has
// actually seen in snapshots.
#include <cstdint>

#include "core/rng.h"
#include "proto/entity_state.h"
#include "sim/command.h"

namespace qbot::client {

/// Wander in a direction for a while, turn, keep aiming around and shoot
/// in bursts: every bot moves and fires, so snapshots carry real churn.
class WanderAndShoot {
 public:
  explicit WanderAndShoot(std::uint64_t seed) : rng_(seed) {}

  /// `self` may be null before the first snapshot arrives.
  sim::Command next(const proto::EntityState* self, std::uint32_t tick_rate);

 private:
  core::Rng rng_;
  std::uint32_t ticks_left_ = 0;
  float heading_ = 0.0f;
  float aim_ = 0.0f;
  float aim_speed_ = 0.0f;
  bool firing_ = false;
};

}  // namespace qbot::client
