#include <gtest/gtest.h>

#include "sim_test_util.h"

using namespace qbot;
using namespace qbot::test;
using sim::Event;
using sim::kFirePrimary;
using sim::kFireSecondary;

namespace {
constexpr float kEast = 0.0f;
constexpr float kNorth = 1.5707963f;
}  // namespace

TEST(Weapons, ProjectileTravelsThenHits) {
  SimWorld s;
  s.add(1, {10, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  s.add(2, {20, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  auto ev = s.step({{1, cmd(0, 0, kFirePrimary, kEast)}});
  EXPECT_EQ(count(ev, Event::Kind::Hit), 0) << "a projectile is not instant";
  ASSERT_EQ(s.world.projectiles.size(), 1u);
  int ticks = 1;
  std::int32_t dealt = 0;
  while (dealt == 0 && ticks < 60) {
    dealt = damage_to(s.step(), 2);
    ++ticks;
  }
  EXPECT_EQ(dealt, 10);
  EXPECT_EQ(s.bot(2).hp, 90);
  // 10 m minus both radii at 40 m/s: about 0.2 s = 12 ticks.
  EXPECT_GE(ticks, 10);
  EXPECT_LE(ticks, 14);
  EXPECT_TRUE(s.world.projectiles.empty());
}

TEST(Weapons, WallsStopProjectilesAndHitscan) {
  SimWorld s;
  s.add(1, {26, 30}, loadout(kScout, kBlaster, kLaser, kShield));
  s.add(2, {38, 30}, loadout(kScout, kBlaster, kBlaster, kShield));  // behind the wall x 30..34
  for (int t = 0; t < 120; ++t) {
    EXPECT_EQ(damage_to(s.step({{1, cmd(0, 0, kFirePrimary | kFireSecondary, kEast)}}), 2), 0);
  }
  EXPECT_EQ(s.bot(2).hp, 100);
}

TEST(Weapons, HitscanIsInstantAndLimitedByRange) {
  SimWorld s;
  s.add(1, {5, 50}, loadout(kScout, kLaser, kBlaster, kShield));
  s.add(2, {25, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  EXPECT_EQ(damage_to(s.step({{1, cmd(0, 0, kFirePrimary, kEast)}}), 2), 20);

  SimWorld far;
  far.add(1, {5, 50}, loadout(kScout, kLaser, kBlaster, kShield));
  far.add(2, {47, 50}, loadout(kScout, kBlaster, kBlaster, kShield));  // 42 m > 40 m range
  EXPECT_EQ(damage_to(far.step({{1, cmd(0, 0, kFirePrimary, kEast)}}), 2), 0);
}

TEST(Weapons, ShotgunFiresPelletsWithinItsShortRange) {
  SimWorld s;
  s.add(1, {10, 50}, loadout(kScout, kShotgun, kBlaster, kShield));
  s.add(2, {12, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  const auto ev = s.step({{1, cmd(0, 0, kFirePrimary, kEast)}});
  // Point blank: most of the 6 pellets (5 damage each) connect, each a Hit.
  EXPECT_GE(count(ev, Event::Kind::Hit), 4);
  EXPECT_LE(count(ev, Event::Kind::Hit), 6);
  EXPECT_EQ(damage_to(ev, 2), 5 * count(ev, Event::Kind::Hit));

  SimWorld far;
  far.add(1, {10, 50}, loadout(kScout, kShotgun, kBlaster, kShield));
  far.add(2, {22, 50}, loadout(kScout, kBlaster, kBlaster, kShield));  // 12 m > 10 m
  EXPECT_EQ(damage_to(far.step({{1, cmd(0, 0, kFirePrimary, kEast)}}), 2), 0);
}

TEST(Weapons, HomingMissileTurnsOntoTargetAStraightShotMisses) {
  const auto run = [](sim::PartIndex weapon) {
    SimWorld s;
    s.add(1, {10, 50}, loadout(kScout, weapon, weapon, kShield));
    s.add(2, {22, 58}, loadout(kScout, kBlaster, kBlaster, kShield));  // ~34 degrees left of the shot
    s.step({{1, cmd(0, 0, kFirePrimary, kEast)}});
    std::int32_t dealt = 0;
    for (int t = 0; t < 180; ++t) dealt += damage_to(s.step(), 2);
    return dealt;
  };
  EXPECT_EQ(run(kMissiles), 30);
  EXPECT_EQ(run(kBlaster), 0);
}

TEST(Weapons, FireRateHackHasNoEffect) {
  SimWorld s;
  s.add(1, {10, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  int shots = 0;
  for (int t = 0; t < 60; ++t) {  // one second, trigger held, commands flooded
    const core::Tick before = s.bot(1).next_fire[0];
    const auto c = cmd(0, 0, kFirePrimary, kNorth);
    s.step({{1, c}, {1, c}, {1, c}, {1, c}, {1, c}});
    if (s.bot(1).next_fire[0] != before) ++shots;
  }
  EXPECT_EQ(shots, 4) << "0.25 s interval: 4 shots per second, whatever the client sends";
}

TEST(Weapons, HeatLimitsSustainedFire) {
  SimWorld s;
  s.add(1, {10, 50}, loadout(kScout, kHotGun, kBlaster, kShield));
  int shots = 0;
  for (int t = 0; t < 120; ++t) {  // two seconds
    const float before = s.bot(1).heat[0];
    s.step({{1, cmd(0, 0, kFirePrimary, kNorth)}});
    if (s.bot(1).heat[0] > before) ++shots;
    ASSERT_LE(s.bot(1).heat[0], 1.0f + 1e-5f);
  }
  // 0.4 heat per shot, 0.5/s cooling: 2 shots at once, then one per 0.8 s.
  // Without heat the 1-tick interval would allow 120.
  EXPECT_GE(shots, 3);
  EXPECT_LE(shots, 5);
}

TEST(Weapons, ArmorScalesDamage) {
  SimWorld s;
  s.add(1, {5, 50}, loadout(kScout, kLaser, kBlaster, kShield));
  s.add(2, {25, 50}, loadout(kTank, kBlaster, kBlaster, kShield));  // 50 % armor
  EXPECT_EQ(damage_to(s.step({{1, cmd(0, 0, kFirePrimary, kEast)}}), 2), 10);
  EXPECT_EQ(s.bot(2).hp, 190);
}

TEST(Weapons, DeathRespawnAndSpawnProtection) {
  sim::Rules rules;
  rules.spawn_protection_s = 1.0f;
  rules.respawn_delay_s = 2.0f;
  SimWorld s(rules);
  s.add(1, {5, 50}, loadout(kScout, kLaser, kBlaster, kShield));
  s.add(2, {25, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  s.bot(1).protected_until = 0;
  // Bot 2 is spawn protected: laser hits do nothing.
  EXPECT_EQ(damage_to(s.step({{1, cmd(0, 0, kFirePrimary, kEast)}}), 2), 0);
  while (s.bot(2).is_protected(s.world.tick + 1)) s.step();
  int kills = 0;
  for (int t = 0; t < 400 && kills == 0; ++t) {
    for (const auto& e : s.step({{1, cmd(0, 0, kFirePrimary, kEast)}})) {
      if (e.kind != Event::Kind::Kill) continue;
      EXPECT_EQ(e.actor, 1);
      EXPECT_EQ(e.target, 2);
      EXPECT_EQ(e.part, kLaser);
      ++kills;
    }
  }
  ASSERT_EQ(kills, 1);
  EXPECT_FALSE(s.bot(2).alive);
  EXPECT_EQ(s.bot(1).kills, 1u);
  EXPECT_EQ(s.bot(1).score, 1);
  EXPECT_EQ(s.bot(2).deaths, 1u);
  const core::Tick died = s.world.tick;
  int respawns = 0;
  while (respawns == 0) respawns = count(s.step(), Event::Kind::Respawn);
  EXPECT_EQ(s.world.tick - died, 120u);
  EXPECT_TRUE(s.bot(2).alive);
  EXPECT_EQ(s.bot(2).hp, 100);
  EXPECT_TRUE(s.bot(2).is_protected(s.world.tick));
  // Firing ends its own protection.
  s.step({{2, cmd(0, 0, kFirePrimary, kNorth)}});
  EXPECT_FALSE(s.bot(2).is_protected(s.world.tick));
}

TEST(Weapons, NoFriendlyFireInTeamModes) {
  sim::Rules rules = SimWorld::no_protection();
  rules.team_mode = true;
  SimWorld s(rules);
  s.add(1, {5, 50}, loadout(kScout, kLaser, kBlaster, kShield), 1);
  s.add(2, {15, 50}, loadout(kScout, kBlaster, kBlaster, kShield), 1);  // teammate in the line of fire
  s.add(3, {25, 50}, loadout(kScout, kBlaster, kBlaster, kShield), 2);  // enemy behind it
  auto ev = s.step({{1, cmd(0, 0, kFirePrimary | kFireSecondary, kEast)}});
  EXPECT_EQ(damage_to(ev, 2), 0);
  EXPECT_EQ(damage_to(ev, 3), 20) << "the laser passes the teammate and hits the enemy";
  std::int32_t blaster_on_enemy = 0;
  for (int t = 0; t < 60; ++t) {
    ev = s.step();
    EXPECT_EQ(damage_to(ev, 2), 0);
    blaster_on_enemy += damage_to(ev, 3);
  }
  EXPECT_EQ(blaster_on_enemy, 10) << "the projectile flies through the teammate";

  SimWorld ffa;  // same shot without teams: the first bot in line takes it
  ffa.add(1, {5, 50}, loadout(kScout, kLaser, kBlaster, kShield));
  ffa.add(2, {15, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  ffa.add(3, {25, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  ev = ffa.step({{1, cmd(0, 0, kFirePrimary, kEast)}});
  EXPECT_EQ(damage_to(ev, 2), 20);
  EXPECT_EQ(damage_to(ev, 3), 0);
}

TEST(Weapons, NoDamageWhileCombatIsDisabled) {
  sim::Rules rules = SimWorld::no_protection();
  rules.combat_enabled = false;
  SimWorld s(rules);
  s.add(1, {5, 50}, loadout(kScout, kLaser, kBlaster, kShield));
  s.add(2, {25, 50}, loadout(kScout, kBlaster, kBlaster, kShield));
  for (int t = 0; t < 60; ++t) EXPECT_EQ(damage_to(s.step({{1, cmd(0, 0, kFirePrimary, kEast)}}), 2), 0);
  EXPECT_TRUE(s.world.projectiles.empty());
}
