#include <gtest/gtest.h>

#include "core/rng.h"
#include "sim/movement.h"
#include "sim_test_util.h"

using namespace qbot;
using namespace qbot::test;
using sim::kFirePrimary;

TEST(Movement, BotsStayInsideTheArenaAndOutOfWalls) {
  SimWorld s;
  for (sim::EntityId id = 1; id <= 12; ++id)
    s.add(id, {8.0f + 3.0f * id, 30.0f}, loadout(id % 2 ? kScout : kTank, kBlaster, kLaser, kDash));
  core::Rng rng(5);
  for (int t = 0; t < 3000; ++t) {
    std::vector<sim::BotCommand> cmds;
    for (const sim::Bot& b : s.world.bots) {
      cmds.push_back({b.id, cmd(static_cast<std::int8_t>(static_cast<int>(rng.below(255)) - 127),
                                static_cast<std::int8_t>(static_cast<int>(rng.below(255)) - 127),
                                rng.below(50) == 0 ? sim::kUseModule : 0)});
    }
    s.step(cmds);
    for (const sim::Bot& b : s.world.bots) {
      const float r = s.world.chassis(b).radius;
      ASSERT_GE(b.pos.x, r - 1e-3f);
      ASSERT_LE(b.pos.x, s.map.width - r + 1e-3f);
      ASSERT_GE(b.pos.y, r - 1e-3f);
      ASSERT_LE(b.pos.y, s.map.height - r + 1e-3f);
      for (const sim::Box& wall : s.map.walls) {
        const bool inside = b.pos.x > wall.min.x + 0.01f && b.pos.x < wall.max.x - 0.01f &&
                            b.pos.y > wall.min.y + 0.01f && b.pos.y < wall.max.y - 0.01f;
        ASSERT_FALSE(inside) << "bot " << b.id << " inside a wall at tick " << s.world.tick;
      }
    }
  }
}

TEST(Movement, SpeedHackHasNoEffect) {
  SimWorld s;
  s.add(1, {10, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  const float dt = 1.0f / 60.0f;
  for (int t = 0; t < 120; ++t) {
    const sim::Vec2 before = s.bot(1).pos;
    // Invalid extreme stick values and a flood of commands for one tick.
    s.step({{1, cmd(-128, -128)}, {1, cmd(-128, -128)}, {1, cmd(-128, -128)}, {1, cmd(-128, -128)}});
    EXPECT_LE(length(s.bot(1).vel), 10.0f + 1e-4f);
    EXPECT_LE(length(s.bot(1).pos - before), 10.0f * dt + 1e-4f) << "moved more than one tick's worth";
  }
}

TEST(Movement, AccelerationAndTurnRateComeFromTheChassis) {
  SimWorld s;
  s.add(1, {10, 50}, loadout(kTank, kBlaster, kBlaster, kShield));
  s.step({{1, cmd(127, 0, 0, 3.14159f)}});  // full stick east, aim west (half a turn away)
  // Tank: 20 m/s^2 -> 1/3 m/s after one tick; 4 rad/s -> 1/15 rad of turn.
  EXPECT_NEAR(s.bot(1).vel.x, 20.0f / 60.0f, 1e-4f);
  const float turned = std::fabs(sim::angle_delta(0.0f, s.bot(1).aim));
  EXPECT_NEAR(turned, 4.0f / 60.0f, 1e-4f);
}

TEST(Movement, OverlappingBotsArePushedApartHeavierMovesLess) {
  SimWorld s;
  s.add(1, {20, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  s.add(2, {20.5f, 50}, loadout(kTank, kBlaster, kBlaster, kShield));
  s.step();
  const float dist = length(s.bot(2).pos - s.bot(1).pos);
  EXPECT_GE(dist, 0.7f + 1.2f - 1e-3f);
  // Scout mass 1 vs tank mass 3: the scout takes 3/4 of the push.
  EXPECT_NEAR(20.0f - s.bot(1).pos.x, 3.0f * (s.bot(2).pos.x - 20.5f), 1e-3f);
}
