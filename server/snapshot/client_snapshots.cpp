#include "server/snapshot/client_snapshots.h"

#include <algorithm>

#include "proto/limits.h"

namespace qbot::server {
namespace {
using proto::EntityState;

std::int64_t dist_sq(const EntityState& a, const EntityState& b) {
  const std::int64_t dx = a.f[proto::kX] - b.f[proto::kX];
  const std::int64_t dy = a.f[proto::kY] - b.f[proto::kY];
  return dx * dx + dy * dy;
}
}  // namespace

void ClientSnapshots::select_visible(const proto::Frame& world, const Viewer& viewer, const SnapshotPolicy& policy) {
  visible_.tick = world.tick;
  visible_.last_input = viewer.last_input;
  visible_.entities.clear();
  const EntityState* me = nullptr;
  for (const EntityState& e : world.entities) {
    if (e.id == viewer.entity) me = &e;
  }
  const std::int64_t r2 = std::int64_t{policy.interest_radius_q} * policy.interest_radius_q;
  me_ = me != nullptr ? *me : EntityState{};
  for (const EntityState& e : world.entities) {
    const bool bot = e.f[proto::kKind] == static_cast<std::int32_t>(proto::EntityKind::Bot);
    // Always: yourself, teammates, your own projectiles. Else: within the radius.
    bool wanted = me == nullptr || policy.interest_radius_q == 0 || e.id == viewer.entity;
    wanted = wanted || (bot && viewer.team != 0 && e.f[proto::kTeam] == viewer.team);
    wanted = wanted || (!bot && e.f[proto::kOwner] == viewer.entity);
    wanted = wanted || (me != nullptr && dist_sq(*me, e) <= r2);
    if (wanted) visible_.entities.push_back(e);
  }
}

void ClientSnapshots::rank_by_distance() {
  priority_.clear();
  by_distance_.clear();
  for (const EntityState& e : visible_.entities) by_distance_.push_back({dist_sq(me_, e), e.id});
  std::sort(by_distance_.begin(), by_distance_.end());
  for (const auto& [d2, id] : by_distance_) priority_.push_back(id);
}

ClientSnapshots::Built ClientSnapshots::build(const proto::Frame& world, const Viewer& viewer, core::Tick acked,
                                              const SnapshotPolicy& policy, std::vector<std::uint8_t>& data) {
  Built out;
  const proto::Frame* baseline = nullptr;
  proto::EncodeLimits limits;
  if (policy.full_only) {
    visible_.tick = world.tick;
    visible_.last_input = viewer.last_input;
    visible_.entities.assign(world.entities.begin(), world.entities.end());
    me_ = EntityState{};
    for (const EntityState& e : world.entities) {
      if (e.id == viewer.entity) me_ = e;
    }
  } else {
    select_visible(world, viewer, policy);
    if (acked != 0 && acked < world.tick && world.tick - acked < kHistory) baseline = sent_.find(acked);
    limits.position_tolerance = policy.position_tolerance;
    limits.aim_tolerance = policy.aim_tolerance;
    limits.velocity_tolerance = policy.velocity_tolerance;
    limits.exact_entity = viewer.entity;
  }
  data.clear();
  proto::Frame& slot = sent_.reuse(world.tick);
  proto::encode_snapshot(baseline, visible_, policy.tick_rate, limits, data, slot);
  // The budget, and in any mode the largest snapshot a client accepts.
  constexpr std::size_t kSnapshotTableBytes = 64;  // room for the Snapshot table around `data`
  constexpr std::size_t kHardCap = proto::kMaxServerPacketBytes - kSnapshotTableBytes;
  const std::size_t cap = policy.full_only || policy.max_bytes == 0 ? kHardCap : std::min(policy.max_bytes, kHardCap);
  if (data.size() > cap) {
    // Over budget (rare: a crowded view): nearest first, the rest later.
    rank_by_distance();
    limits.max_bytes = cap;
    limits.priority = priority_;
    data.clear();
    proto::encode_snapshot(baseline, visible_, policy.tick_rate, limits, data, slot);
  }
  out.baseline_tick = baseline != nullptr ? baseline->tick : 0;
  return out;
}

}  // namespace qbot::server
