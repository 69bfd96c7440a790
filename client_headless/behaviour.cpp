#include "client_headless/behaviour.h"

#include <cmath>

namespace qbot::client {
namespace {
constexpr float kTwoPi = 6.28318530718f;

std::int8_t axis(float v) { return static_cast<std::int8_t>(std::lround(std::fmax(-1.0f, std::fmin(1.0f, v)) * 127.0f)); }
}  // namespace

sim::Command WanderAndShoot::next(const proto::EntityState* self, std::uint32_t tick_rate) {
  if (ticks_left_ == 0) {
    // New leg: 1-3 s in a fresh direction; steer back toward the middle
    // when near the map edge so bots do not pile up in corners.
    ticks_left_ = tick_rate + rng_.below(2 * tick_rate);
    heading_ = rng_.range(0.0f, kTwoPi);
    if (self != nullptr) {
      const float x = proto::dequantize_pos(self->f[proto::kX]);
      const float y = proto::dequantize_pos(self->f[proto::kY]);
      if (x < 8 || y < 8 || x > 56 || y > 56) heading_ = std::atan2(32.0f - y, 32.0f - x) + rng_.range(-0.5f, 0.5f);
    }
    aim_speed_ = rng_.range(-2.0f, 2.0f) / static_cast<float>(tick_rate);
    firing_ = rng_.below(3) != 0;
  }
  ticks_left_ -= 1;
  aim_ += aim_speed_;
  if (aim_ < 0) aim_ += kTwoPi;
  if (aim_ >= kTwoPi) aim_ -= kTwoPi;

  sim::Command c;
  c.move_x = axis(std::cos(heading_));
  c.move_y = axis(std::sin(heading_));
  c.aim = static_cast<std::uint16_t>(static_cast<std::uint32_t>(aim_ / kTwoPi * 65536.0f) & 0xffffu);
  c.buttons = firing_ ? sim::kFirePrimary : 0;
  return c;
}

}  // namespace qbot::client
