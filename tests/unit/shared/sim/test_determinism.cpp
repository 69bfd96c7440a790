#include <gtest/gtest.h>

#include "core/rng.h"
#include "sim/world_hash.h"
#include "sim_test_util.h"

using namespace qbot;
using namespace qbot::test;

namespace {

// Eight bots with every weapon and module, random intents for 20 s.
std::uint64_t run_match(int flip_bit_at_tick) {
  SimWorld s(sim::Rules{}, 99);
  for (sim::EntityId id = 1; id <= 8; ++id) {
    s.add(id, {8.0f + 5.0f * id, 50.0f},
          loadout(static_cast<sim::PartIndex>(id % 2), static_cast<sim::PartIndex>(id % 4),
                  static_cast<sim::PartIndex>((id + 1) % 5), static_cast<sim::PartIndex>(id % 4)));
  }
  core::Rng rng(3);
  bool flipped = false;
  for (int t = 1; t <= 1200; ++t) {
    std::vector<sim::BotCommand> cmds;
    for (const sim::Bot& b : s.world.bots) {
      sim::Command c;
      c.aim = static_cast<std::uint16_t>(rng.next_u32());
      c.move_x = static_cast<std::int8_t>(static_cast<int>(rng.below(255)) - 127);
      c.move_y = static_cast<std::int8_t>(static_cast<int>(rng.below(255)) - 127);
      c.buttons = static_cast<std::uint8_t>(rng.below(8));
      c.view_tick = s.world.tick > 5 ? s.world.tick - 5 : 0;
      if (t == flip_bit_at_tick && b.alive && !flipped) {  // one bit of one live bot's command
        c.move_x ^= 1;
        flipped = true;
      }
      cmds.push_back({b.id, c});
    }
    s.step(cmds);
  }
  return sim::world_hash(s.world);
}

}  // namespace

TEST(Determinism, SameInputsGiveTheSameHash) { EXPECT_EQ(run_match(-1), run_match(-1)); }

TEST(Determinism, OneBitOfOneInputChangesTheHash) { EXPECT_NE(run_match(-1), run_match(600)); }

TEST(Determinism, CommandArrivalOrderDoesNotMatter) {
  const auto run = [](bool reversed) {
    SimWorld s(SimWorld::no_protection(), 5);
    for (sim::EntityId id = 1; id <= 4; ++id) s.add(id, {10.0f * id, 50.0f}, loadout(kScout, kLaser, kBlaster, kEmp));
    for (int t = 0; t < 300; ++t) {
      std::vector<sim::BotCommand> cmds;
      for (sim::EntityId id = 1; id <= 4; ++id) {
        cmds.push_back({id, cmd(static_cast<std::int8_t>(t % 50), 20, sim::kFirePrimary | sim::kUseModule,
                                static_cast<float>(id) * 0.9f)});
      }
      if (reversed) std::reverse(cmds.begin(), cmds.end());
      s.step(cmds);
    }
    return sim::world_hash(s.world);
  };
  EXPECT_EQ(run(false), run(true));
}
