#pragma once
// The complete state of one arena's simulation. Plain data: copying a World
// copies the match (snapshot history and replays rely on that). The catalog
// and map are not owned: they outlive every world that points at them.
#include <array>
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "core/tick.h"
#include "sim/catalog.h"
#include "sim/ids.h"
#include "sim/lag_history.h"
#include "sim/map.h"
#include "sim/spatial_grid.h"
#include "sim/vec2.h"
#include "sim/wall_index.h"

namespace qbot::sim {

/// Bots use ids 1..kMaxBots; projectiles use ids above kMaxBots.
constexpr EntityId kMaxBots = 255;
constexpr EntityId kFirstProjectileId = 256;

/// Tunables of one match, fixed for its lifetime (recorded in replays).
struct Rules {
  std::uint32_t tick_rate = 60;         // Hz
  bool team_mode = false;               // true: teams, no friendly fire
  bool combat_enabled = true;           // false during warm-up: move, no damage
  float respawn_delay_s = 2.0f;         // s dead before respawning
  float spawn_protection_s = 1.5f;      // s invulnerable after (re)spawn, ends on firing
  std::uint32_t max_rewind_ticks = 12;  // lag compensation limit (200 ms at 60 Hz)
  float projectile_radius = 0.15f;      // m, every projectile
};

enum Slot : std::uint8_t { kPrimary = 0, kSecondary = 1 };

struct Bot {
  EntityId id = 0;
  std::uint8_t team = 0;  // 0 = no team (free-for-all)
  Loadout loadout;
  Vec2 pos;
  Vec2 vel;
  float aim = 0.0f;  // radians, [0, 2pi)
  std::int32_t hp = 0;
  std::int32_t shield = 0;  // damage the active shield still absorbs
  bool alive = true;
  core::Tick respawn_at = 0;              // when dead: tick of respawn
  core::Tick spawned_at = 0;              // tick of the last (re)spawn: lag compensation
                                          //   never hits a previous life
  core::Tick protected_until = 0;         // spawn protection ends at this tick
  core::Tick stunned_until = 0;           // EMP: no firing / modules until this tick
  std::array<core::Tick, 2> next_fire{};  // per weapon slot: first tick it may fire
  std::array<float, 2> heat{};            // per weapon slot, 0..1
  core::Tick module_ready_at = 0;         // module usable from this tick
  core::Tick module_until = 0;            // the module's effect lasts until this tick
  Vec2 dash_dir;                          // unit vector while dashing
  std::int32_t repair_left = 0;           // hp the running repair still restores
  std::uint32_t kills = 0;
  std::uint32_t deaths = 0;
  std::int32_t damage_dealt = 0;
  std::int32_t score = 0;

  bool is_protected(core::Tick now) const { return now < protected_until; }
  bool is_stunned(core::Tick now) const { return now < stunned_until; }
  bool module_active(core::Tick now) const { return now < module_until; }
};

enum class ProjectileKind : std::uint8_t { Bullet = 0, Missile = 1 };

struct Projectile {
  EntityId id = 0;
  EntityId owner = 0;
  std::uint8_t team = 0;  // owner's team when fired
  PartIndex weapon = 0;
  ProjectileKind kind = ProjectileKind::Bullet;
  Vec2 pos;
  Vec2 vel;
  EntityId target = 0;  // Missile: bot it homes on (0 = none yet)
  core::Tick expires = 0;
};

struct World {
  Rules rules;
  const Catalog* catalog = nullptr;
  const Map* map = nullptr;
  core::Tick tick = 0;  // last simulated tick (0 = none yet)
  core::Rng rng;
  std::vector<Bot> bots;                // ascending id
  std::vector<Projectile> projectiles;  // ascending spawn order
  EntityId next_projectile_id = kFirstProjectileId;
  LagHistory history;  // past bot positions for lag compensation
  SpatialGrid grid;    // scratch broad phase, rebuilt every tick
  WallIndex walls;     // static broad phase of map->walls

  const ChassisSpec& chassis(const Bot& b) const { return catalog->chassis[b.loadout.chassis]; }
  const WeaponSpec& weapon(const Bot& b, Slot s) const {
    return catalog->weapons[s == kPrimary ? b.loadout.primary : b.loadout.secondary];
  }
  const ModuleSpec& module(const Bot& b) const { return catalog->modules[b.loadout.module]; }
};

/// A fresh world; `seed` drives every random choice. The loadouts of bots
/// added later must index into `catalog`.
World make_world(const Catalog& catalog, const Map& map, const Rules& rules, std::uint64_t seed);

/// Adds a bot at a spawn point (spawn-protected); false if the id is taken,
/// out of range, or the loadout does not index into the catalog.
bool add_bot(World& world, EntityId id, std::uint8_t team, const Loadout& loadout);
/// Removes a bot and its projectiles; false if it does not exist.
bool remove_bot(World& world, EntityId id);
Bot* find_bot(World& world, EntityId id);
const Bot* find_bot(const World& world, EntityId id);

/// Seconds to whole ticks at the world's rate (at least 1).
std::uint32_t ticks_for(const Rules& rules, float seconds);
/// Enemies: both alive-agnostic; different bots and, in team mode, different teams.
bool are_enemies(const Rules& rules, std::uint8_t team_a, EntityId a, std::uint8_t team_b, EntityId b);
/// Puts a (dead or new) bot back at the spawn point farthest from its enemies.
void spawn_bot(World& world, Bot& bot);

}  // namespace qbot::sim
