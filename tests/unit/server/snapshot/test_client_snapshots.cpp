#include <gtest/gtest.h>

#include "proto/snapshot_codec.h"
#include "server/snapshot/client_snapshots.h"

using namespace qbot;
using namespace qbot::server;
using proto::EntityState;

namespace {

EntityState entity(std::uint16_t id, float x_m, float y_m, proto::EntityKind kind, std::int32_t owner = 0,
                   std::int32_t team = 0) {
  EntityState e;
  e.id = id;
  e.f[proto::kX] = proto::quantize_pos(x_m);
  e.f[proto::kY] = proto::quantize_pos(y_m);
  e.f[proto::kKind] = static_cast<std::int32_t>(kind);
  e.f[proto::kOwner] = owner;
  e.f[proto::kTeam] = team;
  e.f[proto::kHp] = 100;
  e.f[proto::kFlags] = proto::kAlive;
  return e;
}

proto::Frame decode(const std::vector<std::uint8_t>& data, core::Tick tick) {
  auto f = proto::decode_snapshot(nullptr, data, tick, 60);
  EXPECT_TRUE(f.ok());
  return f.ok() ? f.value() : proto::Frame{};
}

bool has(const proto::Frame& f, std::uint16_t id) {
  return std::any_of(f.entities.begin(), f.entities.end(), [&](const EntityState& e) { return e.id == id; });
}

}  // namespace

TEST(ClientSnapshots, InterestKeepsTheAreaPlusWhatTheRulesRequire) {
  proto::Frame world;
  world.tick = 5;
  world.entities = {
      entity(1, 10, 10, proto::EntityKind::Bot, 0, 1),      // the viewer, team 1
      entity(2, 20, 10, proto::EntityKind::Bot, 0, 2),      // enemy, 10 m: visible
      entity(3, 200, 200, proto::EntityKind::Bot, 0, 2),    // enemy, far: culled
      entity(4, 190, 10, proto::EntityKind::Bot, 0, 1),     // teammate, far: kept
      entity(300, 150, 150, proto::EntityKind::Bullet, 1),  // own projectile, far: kept
      entity(301, 150, 150, proto::EntityKind::Bullet, 2),  // someone else's, far: culled
  };
  SnapshotPolicy policy;
  policy.interest_radius_q = proto::quantize_pos(40.0f);
  ClientSnapshots cs;
  std::vector<std::uint8_t> data;
  cs.build(world, Viewer{1, 1, 0}, 0, policy, data);
  const proto::Frame seen = decode(data, world.tick);
  for (const std::uint16_t id : std::initializer_list<std::uint16_t>{1, 2, 4, 300}) EXPECT_TRUE(has(seen, id)) << id;
  for (const std::uint16_t id : std::initializer_list<std::uint16_t>{3, 301}) EXPECT_FALSE(has(seen, id)) << id;

  policy.full_only = true;  // --full-snapshots: everything
  ClientSnapshots full;
  full.build(world, Viewer{1, 1, 0}, 0, policy, data);
  EXPECT_EQ(decode(data, world.tick).entities.size(), world.entities.size());
}

TEST(ClientSnapshots, OverBudgetTheNearestComeFirst) {
  proto::Frame world;
  world.tick = 9;
  world.entities.push_back(entity(1, 100, 100, proto::EntityKind::Bot));
  for (std::uint16_t i = 0; i < 60; ++i) {
    world.entities.push_back(entity(static_cast<std::uint16_t>(256 + i), 100.0f + static_cast<float>(i) * 0.5f, 130.0f,
                                    proto::EntityKind::Bullet, 7));
  }
  SnapshotPolicy policy;
  policy.max_bytes = 120;
  ClientSnapshots cs;
  std::vector<std::uint8_t> data;
  cs.build(world, Viewer{1, 0, 0}, 0, policy, data);
  EXPECT_LE(data.size(), policy.max_bytes);
  const proto::Frame seen = decode(data, world.tick);
  EXPECT_TRUE(has(seen, 1)) << "the viewer's own bot always fits";
  EXPECT_TRUE(has(seen, 256)) << "the nearest projectile";
  EXPECT_LT(seen.entities.size(), world.entities.size()) << "the budget binds";
  // Whatever was left out comes later: against the acked frame, the next
  // snapshot adds more.
  world.tick = 10;
  cs.build(world, Viewer{1, 0, 0}, 9, policy, data);
  auto next = proto::decode_snapshot(&seen, data, world.tick, 60);
  ASSERT_TRUE(next.ok());
  EXPECT_GT(next.value().entities.size(), seen.entities.size());
}

TEST(ClientSnapshots, DeltaAgainstTheAckAndFullWhenTheAckIsUnknownOrTooOld) {
  proto::Frame world;
  world.entities = {entity(1, 10, 10, proto::EntityKind::Bot)};
  SnapshotPolicy policy;
  ClientSnapshots cs;
  std::vector<std::uint8_t> data;
  for (core::Tick t = 1; t <= 100; ++t) {
    world.tick = t;
    world.entities[0].f[proto::kX] += 3;
    const core::Tick ack = t - 1;
    const auto built = cs.build(world, Viewer{1, 0, 0}, t <= 70 ? ack : 5, policy, data);
    if (t == 1) {
      EXPECT_EQ(built.baseline_tick, 0u) << "no ack yet: full";
    } else if (t <= 70) {
      EXPECT_EQ(built.baseline_tick, ack) << "delta against the newest ack";
    } else if (t - 5 < ClientSnapshots::kHistory) {
      EXPECT_EQ(built.baseline_tick, 5u) << "an old ack still in the history";
    } else {
      EXPECT_EQ(built.baseline_tick, 0u) << "ack older than the history: full at tick " << t;
    }
  }
  world.tick = 101;
  EXPECT_EQ(cs.build(world, Viewer{1, 0, 0}, 99999, policy, data).baseline_tick, 0u) << "an ack from the future";
}
