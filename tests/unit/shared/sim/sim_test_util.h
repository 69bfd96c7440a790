#pragma once
// Helpers for simulation tests: a world on the test catalog/map with bots
// placed by hand, and commands built by name.
#include <gtest/gtest.h>

#include <vector>

#include "sim/step.h"
#include "sim_fixture.h"

namespace qbot::test {

struct SimWorld {
  sim::Catalog catalog = test_catalog();
  sim::Map map = test_map();
  sim::World world;

  explicit SimWorld(sim::Rules rules = no_protection(), std::uint64_t seed = 1)
      : world(sim::make_world(catalog, map, rules, seed)) {}
  SimWorld(const SimWorld&) = delete;

  static sim::Rules no_protection() {
    sim::Rules r;
    r.spawn_protection_s = 0.0f;
    return r;
  }

  sim::Bot& add(sim::EntityId id, sim::Vec2 pos, sim::Loadout l, std::uint8_t team = 0) {
    EXPECT_TRUE(sim::add_bot(world, id, team, l));
    sim::Bot& b = *sim::find_bot(world, id);
    b.pos = pos;
    return b;
  }
  sim::Bot& bot(sim::EntityId id) { return *sim::find_bot(world, id); }

  std::vector<sim::Event> step(std::vector<sim::BotCommand> cmds = {}) { return sim::step(world, cmds); }
};

inline sim::Command cmd(std::int8_t mx = 0, std::int8_t my = 0, std::uint8_t buttons = 0, float aim_radians = 0.0f,
                        core::Tick view_tick = 0) {
  sim::Command c;
  c.move_x = mx;
  c.move_y = my;
  c.buttons = buttons;
  float a = aim_radians;
  while (a < 0) a += 6.28318530718f;
  c.aim = static_cast<std::uint16_t>(static_cast<std::uint32_t>(a / 6.28318530718f * 65536.0f) & 0xffffu);
  c.view_tick = view_tick;
  return c;
}

inline int count(const std::vector<sim::Event>& events, sim::Event::Kind kind) {
  int n = 0;
  for (const auto& e : events) n += e.kind == kind ? 1 : 0;
  return n;
}

inline std::int32_t damage_to(const std::vector<sim::Event>& events, sim::EntityId target) {
  std::int32_t d = 0;
  for (const auto& e : events) {
    if (e.kind == sim::Event::Kind::Hit && e.target == target) d += e.amount;
  }
  return d;
}

}  // namespace qbot::test
