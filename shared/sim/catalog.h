#pragma once
// The parts catalog as the simulation sees it: plain, validated data.
// Loaded from JSON by shared/content (the sim never does I/O). Units are SI:
// metres, seconds, radians; damage and hit points are integers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qbot::sim {

using PartIndex = std::uint8_t;  // index into the catalog's list of that part kind

struct ChassisSpec {
  std::string id;              // stable identifier used in loadouts ("scout")
  std::string name;            // display name
  std::int32_t hp = 100;       // hit points
  std::int32_t armor = 0;      // percent of incoming damage absorbed, 0..80
  float max_speed = 8.0f;      // m/s
  float acceleration = 40.0f;  // m/s^2
  float turn_rate = 12.0f;     // rad/s the aim may rotate
  float radius = 0.8f;         // m
  float mass = 1.0f;           // relative, for bot-bot pushes
  std::int32_t cost = 0;       // points
};

enum class WeaponKind : std::uint8_t {
  Projectile = 0,  // travels at projectile_speed, hits the first bot or wall
  Hitscan = 1,     // instant ray up to range, lag compensated
  Homing = 2,      // projectile that steers toward the nearest enemy ahead
  Shotgun = 3,     // `pellets` hitscan rays spread over `spread`, lag compensated
};

struct WeaponSpec {
  std::string id;
  std::string name;
  WeaponKind kind = WeaponKind::Projectile;
  std::int32_t damage = 10;       // per hit (per pellet for Shotgun)
  float fire_interval = 0.25f;    // s between shots
  float spread = 0.0f;            // rad, full cone width (random within)
  float range = 30.0f;            // m (projectiles: lifetime = range / speed)
  float projectile_speed = 0.0f;  // m/s, Projectile and Homing only
  float turn_rate = 0.0f;         // rad/s, Homing only
  std::uint8_t pellets = 1;       // rays per shot, Shotgun only (1..16)
  float heat_per_shot = 0.0f;     // heat added per shot; heat is 0..1, a shot
  float cooling = 1.0f;           //   needs heat + heat_per_shot <= 1; cools per s
  std::int32_t cost = 0;
};

enum class ModuleKind : std::uint8_t {
  Shield = 0,  // absorbs up to `magnitude` damage for `duration`
  Dash = 1,    // moves at `magnitude` m/s in the stick direction for `duration`
  Repair = 2,  // restores `magnitude` hp spread over `duration`
  Emp = 3,     // enemies within `radius` lose shields and cannot fire or use
               //   modules for `duration`
};

struct ModuleSpec {
  std::string id;
  std::string name;
  ModuleKind kind = ModuleKind::Shield;
  float cooldown = 8.0f;    // s from activation until usable again
  float duration = 2.0f;    // s the effect lasts
  float magnitude = 50.0f;  // kind-specific, see ModuleKind
  float radius = 0.0f;      // m, Emp only
  std::int32_t cost = 0;
};

struct Catalog {
  std::uint32_t version = 1;        // bump when balance changes (replays record it)
  std::int32_t point_budget = 100;  // max total cost of one loadout
  std::vector<ChassisSpec> chassis;
  std::vector<WeaponSpec> weapons;
  std::vector<ModuleSpec> modules;
  std::uint64_t identity = 0;  // hash of the catalog's canonical bytes (replays)

  std::optional<PartIndex> find_chassis(std::string_view id) const;
  std::optional<PartIndex> find_weapon(std::string_view id) const;
  std::optional<PartIndex> find_module(std::string_view id) const;
};

/// A Q-Bot as configured by its owner, resolved against a catalog.
struct Loadout {
  std::string name;  // 1..24 printable ASCII
  PartIndex chassis = 0;
  PartIndex primary = 0;    // weapon index
  PartIndex secondary = 0;  // weapon index
  PartIndex module = 0;
  std::uint32_t paint = 0xffffffu;  // 0xRRGGBB

  friend bool operator==(const Loadout&, const Loadout&) = default;
};

}  // namespace qbot::sim
