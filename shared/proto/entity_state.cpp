#include "proto/entity_state.h"

#include <algorithm>
#include <cmath>

namespace qbot::proto {
namespace {
constexpr float kTwoPi = 6.28318530718f;

std::int32_t round_clamp(float v, std::int32_t lo, std::int32_t hi) {
  if (!(v == v)) return 0;  // NaN
  const float r = std::nearbyint(v);
  if (r <= static_cast<float>(lo)) return lo;
  if (r >= static_cast<float>(hi)) return hi;
  return static_cast<std::int32_t>(r);
}
}  // namespace

std::int32_t quantize_pos(float m) { return round_clamp(m * kPosScale, kFieldSpecs[kX].min, kFieldSpecs[kX].max); }
float dequantize_pos(std::int32_t q) { return static_cast<float>(q) / kPosScale; }
std::int32_t quantize_vel(float metres_per_s) {
  return round_clamp(metres_per_s * kVelScale, kFieldSpecs[kVelX].min, kFieldSpecs[kVelX].max);
}
float dequantize_vel(std::int32_t q) { return static_cast<float>(q) / kVelScale; }

std::int32_t quantize_aim(float radians) {
  if (!std::isfinite(radians)) return 0;
  float turns = radians / kTwoPi;
  turns -= std::floor(turns);
  return static_cast<std::int32_t>(std::lround(turns * kAimSteps)) % kAimSteps;
}
float dequantize_aim(std::int32_t q) { return static_cast<float>(q) * (kTwoPi / static_cast<float>(kAimSteps)); }

EntityState extrapolate(const EntityState& base, std::uint32_t dt, std::uint32_t tick_rate) {
  EntityState out = base;
  if (dt == 0 || tick_rate == 0) return out;
  // pos quanta are 1/32 m and vel quanta 1/32 m/s, so pos += vel * dt / rate.
  // Truncation toward zero; clamped to the field range.
  const auto advance = [&](Field p, Field v) {
    const std::int64_t moved = std::int64_t{base.f[v]} * dt / tick_rate;
    out.f[p] =
        static_cast<std::int32_t>(std::clamp<std::int64_t>(base.f[p] + moved, kFieldSpecs[p].min, kFieldSpecs[p].max));
  };
  advance(kX, kVelX);
  advance(kY, kVelY);
  return out;
}

}  // namespace qbot::proto
