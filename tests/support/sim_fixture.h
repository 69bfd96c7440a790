#pragma once
// A small, hand-made catalog and map for simulation tests: exact numbers a
// test can reason about (the shipped data may be rebalanced at any time).
#include <utility>

#include "sim/catalog.h"
#include "sim/map.h"
#include "sim/world.h"

namespace qbot::test {

enum TestChassis : sim::PartIndex { kScout = 0, kTank = 1 };
enum TestWeapon : sim::PartIndex { kBlaster = 0, kLaser = 1, kMissiles = 2, kShotgun = 3, kHotGun = 4 };
enum TestModule : sim::PartIndex { kShield = 0, kDash = 1, kRepair = 2, kEmp = 3 };

inline sim::Catalog test_catalog() {
  sim::Catalog c;
  c.version = 7;
  c.point_budget = 100;
  //            id       name     hp   armor speed accel  turn  radius mass cost
  c.chassis = {{"scout", "Scout", 100, 0, 10.0f, 60.0f, 20.0f, 0.7f, 1.0f, 20},
               {"tank", "Tank", 200, 50, 5.0f, 20.0f, 4.0f, 1.2f, 3.0f, 50}};
  //            id          name   kind                     dmg interval spread range speed turn pellets heat cool cost
  c.weapons = {{"blaster", "Blaster", sim::WeaponKind::Projectile, 10, 0.25f, 0.0f, 30.0f, 40.0f, 0.0f, 1, 0.0f, 1.0f,
                10},
               {"laser", "Laser", sim::WeaponKind::Hitscan, 20, 0.5f, 0.0f, 40.0f, 0.0f, 0.0f, 1, 0.0f, 1.0f, 20},
               {"missiles", "Missiles", sim::WeaponKind::Homing, 30, 1.0f, 0.0f, 40.0f, 15.0f, 3.0f, 1, 0.0f, 1.0f, 30},
               {"shotgun", "Shotgun", sim::WeaponKind::Shotgun, 5, 0.8f, 0.3f, 10.0f, 0.0f, 0.0f, 6, 0.0f, 1.0f, 15},
               {"hotgun", "Hot gun", sim::WeaponKind::Hitscan, 1, 0.02f, 0.0f, 40.0f, 0.0f, 0.0f, 1, 0.4f, 0.5f, 5}};
  //            id        name      kind                    cooldown duration magnitude radius cost
  c.modules = {{"shield", "Shield", sim::ModuleKind::Shield, 8.0f, 3.0f, 50.0f, 0.0f, 10},
               {"dash", "Dash", sim::ModuleKind::Dash, 4.0f, 0.25f, 24.0f, 0.0f, 10},
               {"repair", "Repair", sim::ModuleKind::Repair, 10.0f, 1.0f, 60.0f, 0.0f, 10},
               {"emp", "EMP", sim::ModuleKind::Emp, 12.0f, 2.0f, 0.0f, 8.0f, 20}};
  return c;
}

/// 64 x 64 m, one wall box in the middle (30..34, 20..44), spawns in the corners.
inline sim::Map test_map() {
  sim::Map m;
  m.name = "testbox";
  m.width = 64.0f;
  m.height = 64.0f;
  m.walls = {{{30.0f, 20.0f}, {34.0f, 44.0f}}};
  m.spawns = {{{6, 6}, 1}, {{58, 58}, 2}, {{6, 58}, 1}, {{58, 6}, 2}};
  return m;
}

inline sim::Loadout loadout(sim::PartIndex chassis, sim::PartIndex primary, sim::PartIndex secondary,
                            sim::PartIndex module) {
  return {"t", chassis, primary, secondary, module, 0xff0000};
}

}  // namespace qbot::test
