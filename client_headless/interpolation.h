#pragma once
// Snapshot interpolation (PROTOCOL.md, "Client recipe"): other entities are
// shown a fixed delay behind the newest snapshot, blended between the two
// snapshots around that moment, so loss and jitter do not make them jump.
// The tick being shown is what a client reports as Input.view_tick (the
// server rewinds hitscan shots to it).
#include <cstdint>
#include <optional>

#include "core/ring.h"
#include "proto/entity_state.h"

namespace qbot::client {

/// Entities in `a` and `b` (a.tick < b.tick) blended at `alpha` in [0,1]:
/// positions interpolate; everything else, and entities not in both, as in `b`.
proto::Frame blend(const proto::Frame& a, const proto::Frame& b, float alpha);

class InterpolationBuffer {
 public:
  static constexpr std::uint32_t kCapacity = 64;
  /// `delay_ticks`: how far behind the newest snapshot to show the world.
  explicit InterpolationBuffer(std::uint32_t delay_ticks = 2) : delay_(delay_ticks) {}

  void set_delay(std::uint32_t ticks) { delay_ = ticks; }
  /// Stores a decoded frame (also the client's delta baselines). Late and
  /// out-of-order frames are kept while within kCapacity ticks of the
  /// newest; older ones, and tick 0, are dropped.
  void put(proto::Frame frame);
  const proto::Frame* find(core::Tick tick) const { return frames_.find(tick); }
  core::Tick newest() const { return newest_; }

  /// The tick being shown: newest - delay (0 before the first frame).
  core::Tick view_tick() const { return newest_ > delay_ ? newest_ - delay_ : (newest_ != 0 ? 1 : 0); }

  /// The world at view_tick(): the frame itself, or a blend of the nearest
  /// frames around it when it was lost (kept until the next call); nullptr
  /// before any frame.
  const proto::Frame* view();

 private:
  core::KeyedRing<proto::Frame, kCapacity> frames_;
  core::Tick newest_ = 0;
  std::uint32_t delay_;
  proto::Frame blended_;  // scratch for view()
};

}  // namespace qbot::client
