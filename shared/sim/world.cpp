#include "sim/world.h"

#include <algorithm>
#include <cmath>

namespace qbot::sim {

World make_world(const Map& map, const Rules& rules, std::uint64_t seed) {
  World w;
  w.rules = rules;
  w.map = &map;
  w.rng = core::Rng(seed);
  return w;
}

std::uint32_t ticks_for(const Rules& rules, float seconds) {
  const auto t = static_cast<std::uint32_t>(std::lround(static_cast<double>(seconds) * rules.tick_rate));
  return t == 0 ? 1 : t;
}

bool add_bot(World& world, EntityId id, std::uint8_t team) {
  if (id == 0 || id > kMaxBots || find_bot(world, id) != nullptr) return false;
  Bot bot;
  bot.id = id;
  bot.team = team;
  bot.hp = world.rules.max_hp;
  const auto& spawns = world.map->spawns;
  bot.pos = spawns[world.rng.below(static_cast<std::uint32_t>(spawns.size()))].pos;
  auto it = std::lower_bound(world.bots.begin(), world.bots.end(), id,
                             [](const Bot& b, EntityId v) { return b.id < v; });
  world.bots.insert(it, bot);
  return true;
}

bool remove_bot(World& world, EntityId id) {
  auto it = std::find_if(world.bots.begin(), world.bots.end(), [&](const Bot& b) { return b.id == id; });
  if (it == world.bots.end()) return false;
  world.bots.erase(it);
  std::erase_if(world.projectiles, [&](const Projectile& p) { return p.owner == id; });
  return true;
}

Bot* find_bot(World& world, EntityId id) {
  auto it = std::lower_bound(world.bots.begin(), world.bots.end(), id,
                             [](const Bot& b, EntityId v) { return b.id < v; });
  return (it != world.bots.end() && it->id == id) ? &*it : nullptr;
}

const Bot* find_bot(const World& world, EntityId id) { return find_bot(const_cast<World&>(world), id); }

}  // namespace qbot::sim
