#pragma once
// Quantized entity state as it crosses the wire, and the field table that
// drives the snapshot codec (PROTOCOL.md §5 lists the same table).
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/tick.h"

namespace qbot::proto {

enum class EntityKind : std::uint8_t { Bot = 0, Bullet = 1, Missile = 2 };

/// Field indices, in wire order. Order by how often a field changes: the
/// encoder sends "index of the last changed field", so rarely changing
/// fields at the end cost nothing.
enum Field : std::uint8_t {
  kX = 0,   // position x, 1/32 m
  kY,       // position y, 1/32 m
  kAim,     // facing, 1/4096 turn
  kVelX,    // velocity x, 1/32 m/s
  kVelY,    // velocity y, 1/32 m/s
  kHp,      // hit points
  kShield,  // shield points left (bots)
  kFlags,   // EntityFlag bits
  kKind,    // EntityKind
  kOwner,   // projectiles: owner entity id; bots: 0
  kTeam,    // team number (0 = none)
  kFieldCount
};

enum EntityFlag : std::uint8_t {
  kAlive = 1u << 0,         // bot alive / projectile in flight
  kProtected = 1u << 1,     // spawn protection: takes no damage
  kStunned = 1u << 2,       // hit by an EMP: cannot fire or use its module
  kModuleActive = 1u << 3,  // its module's effect is running (shield, dash, repair)
};

enum class FieldCoding : std::uint8_t {
  Raw,        // `bits` bits, unsigned
  Delta,      // var_s(value - baseline value)
  Predicted,  // var_s(value - extrapolated value): positions move on with
              // the baseline velocity (PROTOCOL.md section 5)
  Angle,      // var_s of the shortest signed difference modulo 4096
};

struct FieldSpec {
  std::string_view name;
  FieldCoding coding;
  std::uint8_t bits;  // Raw only
  std::int32_t min;   // inclusive range every decoded value must satisfy
  std::int32_t max;
};

inline constexpr std::array<FieldSpec, kFieldCount> kFieldSpecs{{
    {"x", FieldCoding::Predicted, 0, -32768, 32767},
    {"y", FieldCoding::Predicted, 0, -32768, 32767},
    {"aim", FieldCoding::Angle, 0, 0, 4095},
    {"vel_x", FieldCoding::Delta, 0, -32768, 32767},
    {"vel_y", FieldCoding::Delta, 0, -32768, 32767},
    {"hp", FieldCoding::Delta, 0, 0, 1023},
    {"shield", FieldCoding::Delta, 0, 0, 1023},
    {"flags", FieldCoding::Raw, 8, 0, 255},
    {"kind", FieldCoding::Raw, 3, 0, 2},
    {"owner", FieldCoding::Raw, 8, 0, 255},
    {"team", FieldCoding::Raw, 3, 0, 7},
}};
static_assert(kFieldCount < 16, "last-changed index is coded in 4 bits");

constexpr float kPosScale = 32.0f;  // quanta per metre
constexpr float kVelScale = 32.0f;  // quanta per m/s
constexpr std::int32_t kAimSteps = 4096;

struct EntityState {
  std::uint16_t id = 0;
  std::array<std::int32_t, kFieldCount> f{};

  friend bool operator==(const EntityState&, const EntityState&) = default;
};

/// What one client knows of the world at one tick: entities sorted by id,
/// and the newest of its input commands the server had applied.
struct Frame {
  core::Tick tick = 0;
  std::uint32_t last_input = 0;
  std::vector<EntityState> entities;
};

/// Where the client expects `base` to be `dt` ticks later: positions move on
/// with the baseline velocity (integer math, identical on both ends).
EntityState extrapolate(const EntityState& base, std::uint32_t dt, std::uint32_t tick_rate);

std::int32_t quantize_pos(float metres);
float dequantize_pos(std::int32_t q);
std::int32_t quantize_vel(float metres_per_s);
float dequantize_vel(std::int32_t q);
/// Radians (any value) -> 0..4095.
std::int32_t quantize_aim(float radians);
float dequantize_aim(std::int32_t q);

}  // namespace qbot::proto
