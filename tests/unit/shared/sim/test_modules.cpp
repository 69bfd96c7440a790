#include <gtest/gtest.h>

#include "sim_test_util.h"

using namespace qbot;
using namespace qbot::test;
using sim::Event;
using sim::kFirePrimary;
using sim::kUseModule;

namespace {
constexpr float kEast = 0.0f;
}

TEST(Modules, ShieldAbsorbsDamageThenExpires) {
  SimWorld s;
  s.add(1, {5, 50}, loadout(kScout, kLaser, kBlaster, kShield));
  s.add(2, {25, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  s.step({{2, cmd(0, 0, kUseModule)}});
  EXPECT_EQ(s.bot(2).shield, 50);
  s.step({{1, cmd(0, 0, kFirePrimary, kEast)}});
  EXPECT_EQ(s.bot(2).shield, 30);
  EXPECT_EQ(s.bot(2).hp, 100) << "the shield takes the hit first";
  for (int t = 0; t < 3 * 60; ++t) s.step();
  EXPECT_EQ(s.bot(2).shield, 0) << "a shield lasts its duration (3 s)";
}

TEST(Modules, DashOutrunsTheChassisForItsDurationOnly) {
  SimWorld s;
  s.add(1, {10, 50}, loadout(kTank, kBlaster, kBlaster, kDash));
  s.step({{1, cmd(127, 0, kUseModule)}});
  EXPECT_NEAR(s.bot(1).vel.x, 24.0f, 1e-3f) << "dash speed, far above the tank's 5 m/s";
  for (int t = 0; t < 20; ++t) s.step({{1, cmd(127, 0)}});  // 0.25 s dash is over
  EXPECT_LE(length(s.bot(1).vel), 5.0f + 1e-3f);
}

TEST(Modules, RepairHealsOverItsDurationUpToMax) {
  SimWorld s;
  s.add(1, {10, 50}, loadout(kScout, kBlaster, kBlaster, kRepair));
  s.bot(1).hp = 30;
  s.step({{1, cmd(0, 0, kUseModule)}});
  for (int t = 0; t < 30; ++t) s.step();
  EXPECT_GT(s.bot(1).hp, 40);
  EXPECT_LT(s.bot(1).hp, 90) << "spread over 1 s, not instant";
  for (int t = 0; t < 60; ++t) s.step();
  EXPECT_EQ(s.bot(1).hp, 90);
  s.bot(1).hp = 95;
  s.bot(1).module_ready_at = 0;
  s.step({{1, cmd(0, 0, kUseModule)}});
  for (int t = 0; t < 90; ++t) s.step();
  EXPECT_EQ(s.bot(1).hp, 100) << "never above the chassis maximum";
}

TEST(Modules, EmpStunsEnemiesInRadiusAndDropsShields) {
  sim::Rules rules = SimWorld::no_protection();
  rules.team_mode = true;
  SimWorld s(rules);
  s.add(1, {10, 50}, loadout(kScout, kBlaster, kBlaster, kEmp), 1);
  s.add(2, {15, 50}, loadout(kScout, kLaser, kBlaster, kShield), 2);    // enemy, 5 m
  s.add(3, {10, 55}, loadout(kScout, kBlaster, kBlaster, kShield), 1);  // teammate, 5 m
  s.add(4, {30, 58}, loadout(kScout, kBlaster, kBlaster, kShield), 2);  // enemy, 21 m
  s.step({{2, cmd(0, 0, kUseModule)}});
  ASSERT_EQ(s.bot(2).shield, 50);
  s.step({{1, cmd(0, 0, kUseModule)}});
  EXPECT_TRUE(s.bot(2).is_stunned(s.world.tick));
  EXPECT_EQ(s.bot(2).shield, 0);
  EXPECT_FALSE(s.bot(3).is_stunned(s.world.tick)) << "teammates are spared";
  EXPECT_FALSE(s.bot(4).is_stunned(s.world.tick)) << "outside the radius";
  // A stunned bot cannot fire.
  const auto ev = s.step({{2, cmd(0, 0, kFirePrimary, 3.14159f)}});
  EXPECT_EQ(damage_to(ev, 1), 0);
}

TEST(Modules, CooldownIsEnforced) {
  SimWorld s;
  s.add(1, {10, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  int used = 0;
  for (int t = 0; t < 8 * 60; ++t) used += count(s.step({{1, cmd(0, 0, kUseModule)}}), Event::Kind::ModuleUsed);
  EXPECT_EQ(used, 1) << "8 s cooldown: pressing every tick activates once";
  used += count(s.step({{1, cmd(0, 0, kUseModule)}}), Event::Kind::ModuleUsed);
  EXPECT_EQ(used, 2);
}
