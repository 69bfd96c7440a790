#include <gtest/gtest.h>

#include <cmath>

#include "sim/combat.h"
#include "sim_test_util.h"

using namespace qbot;
using namespace qbot::test;
using sim::kFirePrimary;

namespace {

// Bot 2 runs north along x = 25 and crosses the line y = 50; bot 1 at
// (5, 50) holds a laser pointed east along that line. Returns the tick at
// which bot 2 was closest to the line (as clients saw it in that tick's
// snapshot).
struct Crossing {
  SimWorld s;
  core::Tick crossing = 0;

  Crossing() {
    s.add(1, {5, 50}, loadout(kScout, kLaser, kLaser, kShield));
    s.add(2, {25, 40}, loadout(kScout, kBlaster, kBlaster, kShield));
    float best = 1e9f;
    while (s.bot(2).pos.y < 52.0f) {
      s.step({{2, cmd(0, 127)}});
      const float off = std::fabs(s.bot(2).pos.y - 50.0f);
      if (off < best) {
        best = off;
        crossing = s.world.tick;
      }
    }
  }
  void run_until(core::Tick tick) {
    while (s.world.tick + 1 < tick) s.step({{2, cmd(0, 127)}});
  }
  std::int32_t shoot(core::Tick view_tick) {
    return damage_to(s.step({{1, cmd(0, 0, kFirePrimary, 0.0f, view_tick)}, {2, cmd(0, 127)}}), 2);
  }
};

}  // namespace

TEST(LagCompensation, HitAtTheShootersViewIsHonouredWithinTheLimit) {
  Crossing c;  // default limit: 12 ticks (200 ms at 60 Hz)
  c.run_until(c.crossing + 10);
  ASSERT_GT(std::fabs(c.s.bot(2).pos.y - 50.0f), 1.0f) << "now the target is clearly off the line";
  EXPECT_EQ(c.shoot(c.crossing), 20) << "the shooter saw it on the line 10 ticks ago";
}

TEST(LagCompensation, ViewOlderThanTheLimitIsRefused) {
  Crossing c;
  c.run_until(c.crossing + 20);  // 333 ms ago: beyond 200 ms
  EXPECT_EQ(sim::rewind_tick(c.s.world, c.crossing), c.s.world.tick - 12);
  EXPECT_EQ(c.shoot(c.crossing), 0);
}

TEST(LagCompensation, WithoutAViewTickTheCurrentWorldCounts) {
  Crossing c;
  c.run_until(c.crossing + 10);
  EXPECT_EQ(c.shoot(0), 0) << "view unknown: no rewind, and the target has moved on";
  Crossing future;
  future.run_until(future.crossing + 10);
  EXPECT_EQ(future.shoot(future.s.world.tick + 50), 0) << "a view from the future is treated as now";
}

TEST(LagCompensation, ConfigurableLimit) {
  Crossing c;
  c.s.world.rules.max_rewind_ticks = 24;  // 400 ms
  c.run_until(c.crossing + 20);
  EXPECT_EQ(c.shoot(c.crossing), 20);
}

TEST(LagCompensation, APreviousLifeCannotBeHit) {
  Crossing c;
  c.run_until(c.crossing + 5);
  // Bot 2 dies and respawns between the shooter's view and now.
  sim::Bot& b = c.s.bot(2);
  b.alive = false;
  b.respawn_at = c.s.world.tick + 1;
  c.s.step();
  ASSERT_TRUE(c.s.bot(2).alive);
  EXPECT_EQ(c.shoot(c.crossing), 0);
}
