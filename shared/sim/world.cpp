#include "sim/world.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qbot::sim {

World make_world(const Catalog& catalog, const Map& map, const Rules& rules, std::uint64_t seed) {
  World w;
  w.rules = rules;
  w.rules.max_rewind_ticks = std::min(rules.max_rewind_ticks, LagHistory::kCapacity - 1);
  w.catalog = &catalog;
  w.map = &map;
  w.walls.build(map);
  w.rng = core::Rng(seed);
  return w;
}

std::uint32_t ticks_for(const Rules& rules, float seconds) {
  const auto t = static_cast<std::uint32_t>(std::lround(static_cast<double>(seconds) * rules.tick_rate));
  return t == 0 ? 1 : t;
}

bool are_enemies(const Rules& rules, std::uint8_t team_a, EntityId a, std::uint8_t team_b, EntityId b) {
  return a != b && (!rules.team_mode || team_a != team_b);
}

void spawn_bot(World& w, Bot& bot) {
  // Candidate spawns: the bot's team's (or neutral ones) in team modes.
  const auto& spawns = w.map->spawns;
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < spawns.size(); ++i) {
    if (!w.rules.team_mode || spawns[i].team == 0 || spawns[i].team == bot.team) candidates.push_back(i);
  }
  if (candidates.empty()) {
    for (std::size_t i = 0; i < spawns.size(); ++i) candidates.push_back(i);
  }
  // Farthest from the nearest living enemy; random when nobody is around.
  std::size_t best = candidates[w.rng.below(static_cast<std::uint32_t>(candidates.size()))];
  float best_d2 = -1.0f;
  bool any_enemy = false;
  for (std::size_t c : candidates) {
    float nearest = std::numeric_limits<float>::max();
    for (const Bot& other : w.bots) {
      if (!other.alive || !are_enemies(w.rules, bot.team, bot.id, other.team, other.id)) continue;
      any_enemy = true;
      nearest = std::min(nearest, length_sq(other.pos - spawns[c].pos));
    }
    if (any_enemy && nearest > best_d2) {
      best_d2 = nearest;
      best = c;
    }
  }
  const ChassisSpec& chassis = w.chassis(bot);
  bot.pos = spawns[best].pos;
  bot.vel = {};
  bot.alive = true;
  bot.hp = chassis.hp;
  bot.shield = 0;
  bot.heat = {};
  bot.stunned_until = 0;
  bot.module_until = 0;
  bot.repair_left = 0;
  bot.spawned_at = w.tick;
  bot.protected_until = w.tick + ticks_for(w.rules, w.rules.spawn_protection_s);
}

bool add_bot(World& w, EntityId id, std::uint8_t team, const Loadout& loadout) {
  if (id == 0 || id > kMaxBots || find_bot(w, id) != nullptr) return false;
  const Catalog& c = *w.catalog;
  if (loadout.chassis >= c.chassis.size() || loadout.primary >= c.weapons.size() ||
      loadout.secondary >= c.weapons.size() || loadout.module >= c.modules.size()) {
    return false;
  }
  Bot bot;
  bot.id = id;
  bot.team = team;
  bot.loadout = loadout;
  spawn_bot(w, bot);
  auto it = std::lower_bound(w.bots.begin(), w.bots.end(), id, [](const Bot& b, EntityId v) { return b.id < v; });
  w.bots.insert(it, std::move(bot));
  return true;
}

bool remove_bot(World& w, EntityId id) {
  auto it = std::find_if(w.bots.begin(), w.bots.end(), [&](const Bot& b) { return b.id == id; });
  if (it == w.bots.end()) return false;
  w.bots.erase(it);
  std::erase_if(w.projectiles, [&](const Projectile& p) { return p.owner == id; });
  return true;
}

Bot* find_bot(World& w, EntityId id) {
  auto it = std::lower_bound(w.bots.begin(), w.bots.end(), id, [](const Bot& b, EntityId v) { return b.id < v; });
  return (it != w.bots.end() && it->id == id) ? &*it : nullptr;
}

const Bot* find_bot(const World& w, EntityId id) { return find_bot(const_cast<World&>(w), id); }

}  // namespace qbot::sim
