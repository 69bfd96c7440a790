#include <gtest/gtest.h>

#include "core/rng.h"
#include "sim/step.h"
#include "sim/world_hash.h"

using namespace qbot::sim;

namespace {
World world_with_bots(int n, std::uint64_t seed = 1) {
  World w = make_world(default_map(), Rules{}, seed);
  for (int i = 1; i <= n; ++i) EXPECT_TRUE(add_bot(w, static_cast<EntityId>(i), 0));
  return w;
}

Command stick(std::int8_t x, std::int8_t y, std::uint8_t buttons = 0, std::uint16_t aim = 0) {
  Command c;
  c.move_x = x;
  c.move_y = y;
  c.buttons = buttons;
  c.aim = aim;
  return c;
}
}  // namespace

TEST(Sim, BotsStayInsideTheArenaAndOutOfWalls) {
  World w = world_with_bots(8);
  qbot::core::Rng rng(5);
  for (int t = 0; t < 3000; ++t) {
    std::vector<BotCommand> cmds;
    for (const Bot& b : w.bots) {
      cmds.push_back({b.id, stick(static_cast<std::int8_t>(static_cast<int>(rng.below(255)) - 127),
                                  static_cast<std::int8_t>(static_cast<int>(rng.below(255)) - 127))});
    }
    step(w, cmds);
    for (const Bot& b : w.bots) {
      ASSERT_GE(b.pos.x, w.rules.bot_radius - 1e-3f);
      ASSERT_LE(b.pos.x, w.map->width - w.rules.bot_radius + 1e-3f);
      ASSERT_GE(b.pos.y, w.rules.bot_radius - 1e-3f);
      ASSERT_LE(b.pos.y, w.map->height - w.rules.bot_radius + 1e-3f);
      for (const Box& wall : w.map->walls) {
        const bool inside = b.pos.x > wall.min.x + 0.01f && b.pos.x < wall.max.x - 0.01f &&
                            b.pos.y > wall.min.y + 0.01f && b.pos.y < wall.max.y - 0.01f;
        ASSERT_FALSE(inside) << "bot " << b.id << " inside a wall at tick " << w.tick;
      }
    }
  }
}

TEST(Sim, SpeedIsCappedWhateverTheStickSays) {
  World w = world_with_bots(1);
  // -128 is not a valid stick value; the sim must still cap |move| at 1.
  for (int t = 0; t < 120; ++t) {
    const BotCommand c{1, stick(-128, -128)};
    step(w, std::span(&c, 1));
    EXPECT_LE(length(w.bots[0].vel), w.rules.max_speed + 1e-4f);
  }
}

TEST(Sim, FireRateIsEnforced) {
  World w = world_with_bots(1);
  int shots = 0;
  for (int t = 0; t < 60; ++t) {  // one second, trigger held every tick
    const std::size_t before = w.projectiles.size();
    const BotCommand c{1, stick(0, 0, kFirePrimary)};
    step(w, std::span(&c, 1));
    if (w.projectiles.size() > before) ++shots;
  }
  // 0.25 s interval -> 4 shots in one second.
  EXPECT_EQ(shots, 4);
}

TEST(Sim, ProjectilesDamageAndKill) {
  World w = world_with_bots(2);
  w.bots[0].pos = {10, 40};
  w.bots[1].pos = {14, 40};
  int kills = 0;
  for (int t = 0; t < 600 && kills == 0; ++t) {
    const BotCommand cmds[] = {{1, stick(0, 0, kFirePrimary, 0)}, {2, stick(0, 0)}};
    for (const Event& e : step(w, cmds)) {
      if (e.kind == Event::Kind::Kill) {
        EXPECT_EQ(e.actor, 1);
        EXPECT_EQ(e.target, 2);
        ++kills;
      }
    }
  }
  EXPECT_EQ(kills, 1);
  EXPECT_EQ(w.bots[0].kills, 1u);
  EXPECT_EQ(w.bots[1].deaths, 1u);
  EXPECT_FALSE(w.bots[1].alive);
}

TEST(Sim, SameInputsGiveTheSameHashAndOneBitChangesIt) {
  auto run = [](std::int8_t tweak) {
    World w = world_with_bots(6, 99);
    qbot::core::Rng rng(3);
    for (int t = 0; t < 600; ++t) {
      std::vector<BotCommand> cmds;
      for (const Bot& b : w.bots) {
        const auto aim = static_cast<std::uint16_t>(rng.next_u32());
        auto move_x = static_cast<std::int8_t>(rng.below(255) - 127);
        if (t == 300 && b.id == 3) move_x = static_cast<std::int8_t>(move_x ^ tweak);  // one bit
        cmds.push_back({b.id, stick(move_x, static_cast<std::int8_t>(rng.below(255) - 127), kFirePrimary, aim)});
      }
      step(w, cmds);
    }
    return world_hash(w);
  };
  EXPECT_EQ(run(0), run(0));
  EXPECT_NE(run(0), run(1));
}

TEST(Sim, AddAndRemoveBots) {
  World w = world_with_bots(2);
  EXPECT_FALSE(add_bot(w, 1, 0));  // taken
  EXPECT_FALSE(add_bot(w, 0, 0));  // reserved
  EXPECT_FALSE(add_bot(w, 256, 0)); // projectile range
  EXPECT_TRUE(remove_bot(w, 1));
  EXPECT_FALSE(remove_bot(w, 1));
  EXPECT_EQ(w.bots.size(), 1u);
}
