#pragma once
// Per-client snapshot state (Quake III style): the frames this client was
// sent, by tick, so each new snapshot is a delta against the newest frame
// the client acknowledged. An unknown or too old ack means a full snapshot.
#include <cstdint>
#include <vector>

#include "core/ring.h"
#include "core/tick.h"
#include "proto/entity_state.h"

namespace qbot::server {

class ClientSnapshots {
 public:
  /// Frames older than this many ticks are never used as a baseline.
  static constexpr std::uint32_t kHistory = 64;

  struct Built {
    core::Tick baseline_tick = 0;  // 0 = full snapshot
  };

  /// Encodes `visible` (what this client may see this tick) against the
  /// acknowledged baseline into `entities`, and records it as sent.
  Built build(const proto::Frame& visible, core::Tick acked, std::vector<std::uint8_t>& entities);

  /// When true, every snapshot is full (baseline ignored): the
  /// `--full-snapshots` comparison mode.
  void set_full_only(bool full_only) { full_only_ = full_only; }

 private:
  core::KeyedRing<proto::Frame, kHistory> sent_;
  bool full_only_ = false;
};

}  // namespace qbot::server
