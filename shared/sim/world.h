#pragma once
// The complete state of one arena's simulation. Plain data: copying a World
// copies the match (the snapshot history and replays rely on that).
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tick.h"
#include "sim/map.h"
#include "sim/vec2.h"

namespace qbot::sim {

using EntityId = std::uint16_t;
/// Bots use ids 1..kMaxBots; projectiles use ids above kMaxBots.
constexpr EntityId kMaxBots = 255;
constexpr EntityId kFirstProjectileId = 256;

/// Tunables of the match, fixed for its lifetime.
struct Rules {
  std::uint32_t tick_rate = 60;       // Hz
  float bot_radius = 0.8f;            // m
  float max_speed = 8.0f;             // m/s
  float acceleration = 40.0f;         // m/s^2
  std::int32_t max_hp = 100;
  float projectile_speed = 30.0f;     // m/s
  float projectile_radius = 0.15f;    // m
  std::int32_t projectile_damage = 10;
  float fire_interval_s = 0.25f;      // s between shots
  float projectile_lifetime_s = 2.0f; // s
  float respawn_delay_s = 2.0f;       // s
};

struct Bot {
  EntityId id = 0;
  std::uint8_t team = 0;
  Vec2 pos;
  Vec2 vel;
  float aim = 0.0f;                 // radians
  std::int32_t hp = 0;
  bool alive = true;
  core::Tick respawn_at = 0;        // when dead: tick of respawn
  core::Tick next_fire = 0;         // first tick the weapon may fire again
  std::uint32_t kills = 0;
  std::uint32_t deaths = 0;
};

struct Projectile {
  EntityId id = 0;
  EntityId owner = 0;
  Vec2 pos;
  Vec2 vel;
  core::Tick expires = 0;
};

struct World {
  Rules rules;
  const Map* map = nullptr;
  core::Tick tick = 0;              // last simulated tick (0 = none yet)
  core::Rng rng;
  std::vector<Bot> bots;            // ascending id
  std::vector<Projectile> projectiles;  // ascending spawn order
  EntityId next_projectile_id = kFirstProjectileId;
};

/// A fresh world for `map`; `seed` drives every random choice.
World make_world(const Map& map, const Rules& rules, std::uint64_t seed);

/// Adds a bot with the given id at a spawn point; false if the id is taken
/// or out of range.
bool add_bot(World& world, EntityId id, std::uint8_t team);
/// Removes a bot and its projectiles; false if it does not exist.
bool remove_bot(World& world, EntityId id);
Bot* find_bot(World& world, EntityId id);
const Bot* find_bot(const World& world, EntityId id);

/// Converts seconds to whole ticks at the world's rate (at least 1).
std::uint32_t ticks_for(const Rules& rules, float seconds);

}  // namespace qbot::sim
