// A pinned world hash: the shipped catalog on the shipped "foundry" map, six
// bots, seed 2024, 900 ticks (15 s) of scripted commands with combat. Clients
// and replays predict and verify with the same simulation, so its results
// must not drift with the compiler, its flags or a refactoring: any change to
// what a tick computes changes this hash.
//
// When the change is deliberate (new rules, rebalanced shipped data, a fixed
// simulation bug), update kGoldenHash to the value the failure prints and say
// why in the commit message. If the simulation itself changed (not only the
// data, which replays embed), replays recorded before it no longer verify.
#include <gtest/gtest.h>

#include <cmath>

#include "content/catalog_loader.h"
#include "content/map_loader.h"
#include "sim/loadout.h"
#include "sim/step.h"
#include "sim/world_hash.h"

using namespace qbot;

namespace {

constexpr std::uint64_t kGoldenHash = 0x87c83b048f48c9f7ULL;
constexpr int kTicks = 900;

/// Commands that depend only on the world: chase the nearest live enemy,
/// circle it when close, fire the primary always, the secondary every third
/// tick, the module now and then.
sim::Command scripted(const sim::World& w, const sim::Bot& self) {
  sim::Command c;
  c.view_tick = w.tick;
  const sim::Bot* target = nullptr;
  float best = 0.0f;
  for (const sim::Bot& other : w.bots) {
    if (other.id == self.id || !other.alive) continue;
    const float d = std::hypot(other.pos.x - self.pos.x, other.pos.y - self.pos.y);
    if (target == nullptr || d < best) {
      target = &other;
      best = d;
    }
  }
  if (target == nullptr) return c;
  const float dx = target->pos.x - self.pos.x;
  const float dy = target->pos.y - self.pos.y;
  const float angle = std::atan2(dy, dx);
  c.aim = static_cast<std::uint16_t>(static_cast<std::int32_t>(std::lround(angle / 6.283185307f * 65536.0f)) & 0xffff);
  const float move = best > 8.0f ? angle : angle + 1.5707963f;  // close: strafe around it
  c.move_x = static_cast<std::int8_t>(std::lround(std::cos(move) * 127.0f));
  c.move_y = static_cast<std::int8_t>(std::lround(std::sin(move) * 127.0f));
  c.buttons = sim::kFirePrimary;
  if (w.tick % 3 == 0) c.buttons |= sim::kFireSecondary;
  if (w.tick % 120 == self.id * 10) c.buttons |= sim::kUseModule;
  return c;
}

}  // namespace

TEST(GoldenHash, AScriptedBattleOnTheShippedContentEndsInThePinnedWorldHash) {
  auto catalog = content::load_catalog_file(content::default_data_dir() / "catalog.json");
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  auto map = content::load_map_file(content::default_data_dir() / "maps" / "foundry.json");
  ASSERT_TRUE(map.ok()) << map.error().message;
  const sim::Catalog& parts = catalog.value().catalog;

  sim::World world = sim::make_world(parts, map.value().map, sim::Rules{}, 2024);
  const sim::LoadoutRequest loadouts[] = {{"a", "scout", "blaster", "laser", "dash", 1},
                                          {"b", "striker", "laser", "shotgun", "shield", 2},
                                          {"c", "tank", "missiles", "blaster", "repair", 3},
                                          {"d", "scout", "shotgun", "blaster", "emp", 4},
                                          {"e", "striker", "missiles", "laser", "dash", 5},
                                          {"f", "tank", "laser", "blaster", "shield", 6}};
  sim::EntityId id = 1;
  for (const sim::LoadoutRequest& request : loadouts) {
    auto loadout = sim::resolve_loadout(parts, request);
    ASSERT_TRUE(loadout.ok()) << request.name << ": " << loadout.error();
    ASSERT_TRUE(sim::add_bot(world, id++, 0, *loadout));
  }

  int hits = 0;
  int kills = 0;
  for (int t = 0; t < kTicks; ++t) {
    std::vector<sim::BotCommand> commands;
    for (const sim::Bot& b : world.bots) commands.push_back({b.id, scripted(world, b)});
    for (const sim::Event& e : sim::step(world, commands)) {
      hits += e.kind == sim::Event::Kind::Hit ? 1 : 0;
      kills += e.kind == sim::Event::Kind::Kill ? 1 : 0;
    }
  }
  // The scenario must exercise combat, or the hash pins little.
  EXPECT_GT(hits, 50);
  EXPECT_GT(kills, 2);
  EXPECT_EQ(world.tick, static_cast<core::Tick>(kTicks));
  const std::uint64_t hash = sim::world_hash(world);
  EXPECT_EQ(hash, kGoldenHash) << "world hash 0x" << std::hex << hash << " after " << std::dec << hits << " hits, "
                               << kills << " kills: see the comment at the top to update it deliberately";
}
