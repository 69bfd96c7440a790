#include "client_headless/behaviour.h"

#include <algorithm>
#include <cmath>

namespace qbot::client {
namespace {
constexpr float kTwoPi = 6.28318530718f;
constexpr float kPreferredDistance = 9.0f;  // m: close enough for every weapon, not ramming

std::int8_t axis(float v) {
  return static_cast<std::int8_t>(std::lround(std::fmax(-1.0f, std::fmin(1.0f, v)) * 127.0f));
}
std::uint16_t wire_aim(float radians) {
  float a = std::fmod(radians, kTwoPi);
  if (a < 0) a += kTwoPi;
  return static_cast<std::uint16_t>(static_cast<std::uint32_t>(a / kTwoPi * 65536.0f) & 0xffffu);
}
float pos(const proto::EntityState& e, proto::Field f) { return proto::dequantize_pos(e.f[f]); }
}  // namespace

sim::Command Fighter::wander(const proto::EntityState* me, const SelfInfo& self, std::uint32_t tick_rate) {
  if (ticks_left_ == 0) {
    // New leg: 1-3 s in a fresh direction; head back toward the middle near
    // the map edge so bots do not pile up in corners.
    ticks_left_ = tick_rate + rng_.below(2 * tick_rate);
    heading_ = rng_.range(0.0f, kTwoPi);
    if (me != nullptr) {
      const float x = pos(*me, proto::kX), y = pos(*me, proto::kY);
      const float cx = self.map_width / 2, cy = self.map_height / 2;
      if (x < 8 || y < 8 || x > self.map_width - 8 || y > self.map_height - 8) {
        heading_ = std::atan2(cy - y, cx - x) + rng_.range(-0.5f, 0.5f);
      }
    }
  }
  ticks_left_ -= 1;
  aim_ = heading_;
  sim::Command c;
  c.move_x = axis(std::cos(heading_));
  c.move_y = axis(std::sin(heading_));
  c.aim = wire_aim(aim_);
  return c;
}

sim::Command Fighter::next(const proto::Frame* frame, const SelfInfo& self, std::uint32_t tick_rate) {
  const proto::EntityState* me = nullptr;
  if (frame != nullptr) {
    for (const auto& e : frame->entities) {
      if (e.id == self.entity) me = &e;
    }
  }
  if (me == nullptr || !(me->f[proto::kFlags] & proto::kAlive)) return wander(me, self, tick_rate);

  // Nearest living enemy bot in view.
  const float mx = pos(*me, proto::kX), my = pos(*me, proto::kY);
  const proto::EntityState* target = nullptr;
  float best_d2 = 0.0f;
  for (const auto& e : frame->entities) {
    if (e.id == self.entity || e.f[proto::kKind] != static_cast<std::int32_t>(proto::EntityKind::Bot)) continue;
    if (!(e.f[proto::kFlags] & proto::kAlive)) continue;
    if (self.team != 0 && e.f[proto::kTeam] == self.team) continue;
    const float dx = pos(e, proto::kX) - mx, dy = pos(e, proto::kY) - my;
    const float d2 = dx * dx + dy * dy;
    if (target == nullptr || d2 < best_d2) {
      target = &e;
      best_d2 = d2;
    }
  }
  if (target == nullptr) return wander(me, self, tick_rate);

  const float dx = pos(*target, proto::kX) - mx, dy = pos(*target, proto::kY) - my;
  const float dist = std::sqrt(best_d2);
  const float to_target = std::atan2(dy, dx);
  // Approach or back off toward the preferred distance, strafing sideways.
  if (ticks_left_ == 0) {
    ticks_left_ = tick_rate / 2 + rng_.below(tick_rate);
    strafe_ = rng_.below(2) == 0 ? 1.0f : -1.0f;
  }
  ticks_left_ -= 1;
  const float radial = std::clamp((dist - kPreferredDistance) / 4.0f, -1.0f, 1.0f);
  const float mvx = std::cos(to_target) * radial - std::sin(to_target) * strafe_ * 0.7f;
  const float mvy = std::sin(to_target) * radial + std::cos(to_target) * strafe_ * 0.7f;

  sim::Command c;
  c.move_x = axis(mvx);
  c.move_y = axis(mvy);
  c.aim = wire_aim(to_target + rng_.range(-0.03f, 0.03f));
  if (dist <= self.primary_range) c.buttons |= sim::kFirePrimary;
  if (dist <= self.secondary_range) c.buttons |= sim::kFireSecondary;
  // Module: in a close fight, or when hurt; the server enforces cooldowns.
  const bool hurt = me->f[proto::kHp] < 40;
  if ((dist < 10.0f && rng_.below(tick_rate) == 0) || (hurt && rng_.below(8) == 0)) c.buttons |= sim::kUseModule;
  return c;
}

}  // namespace qbot::client
