#pragma once
// Per-client snapshot state (Quake III style): the frames this client was
// sent, as the client holds them, by tick. Each new snapshot is a delta
// against the newest frame the client acknowledged; an unknown or too old
// ack means a full snapshot. What the client sees is filtered by interest
// (its area plus what the rules require) and fitted into a byte budget,
// nearest first.
#include <cstdint>
#include <vector>

#include "core/ring.h"
#include "core/tick.h"
#include "proto/entity_state.h"
#include "proto/snapshot_codec.h"

namespace qbot::server {

struct SnapshotPolicy {
  bool full_only = false;                // --full-snapshots: no deltas, interest or budget
  std::int32_t interest_radius_q = 0;    // position quanta; 0 = the whole arena
  std::size_t max_bytes = 0;             // per snapshot; 0 = no budget
  std::int32_t position_tolerance = 6;   // dead reckoning slack, position quanta (~0.19 m)
  std::int32_t aim_tolerance = 12;       // aim steps (~1 degree)
  std::int32_t velocity_tolerance = 16;  // velocity quanta (0.5 m/s)
  std::uint32_t tick_rate = 60;
};

struct Viewer {
  std::uint16_t entity = 0;      // the client's own bot
  std::uint8_t team = 0;         // 0 = no team
  std::uint32_t last_input = 0;  // newest command applied for this client
};

class ClientSnapshots {
 public:
  /// Frames older than this many ticks are never used as a baseline.
  static constexpr std::uint32_t kHistory = 64;

  struct Built {
    core::Tick baseline_tick = 0;  // 0 = full snapshot
  };

  /// Encodes what `viewer` may see of `world` (the arena's frame of this
  /// tick) against the acknowledged baseline into `data`, and records the
  /// frame the client will hold.
  Built build(const proto::Frame& world, const Viewer& viewer, core::Tick acked, const SnapshotPolicy& policy,
              std::vector<std::uint8_t>& data);

 private:
  void select_visible(const proto::Frame& world, const Viewer& viewer, const SnapshotPolicy& policy);
  void rank_by_distance();  // fills priority_ from visible_, nearest to the viewer first

  core::KeyedRing<proto::Frame, kHistory> sent_;
  proto::Frame visible_;                                             // scratch
  proto::EntityState me_;                                            // scratch: the viewer's bot this tick
  std::vector<std::uint16_t> priority_;                              // scratch: ids by distance
  std::vector<std::pair<std::int64_t, std::uint16_t>> by_distance_;  // scratch
};

}  // namespace qbot::server
