#include "sim/movement.h"

#include <algorithm>
#include <cmath>

#include "sim/geometry.h"

namespace qbot::sim {

float angle_delta(float a, float b) {
  float d = std::fmod(b - a, kTwoPi);
  if (d <= -kPi) d += kTwoPi;
  if (d > kPi) d -= kTwoPi;
  return d;
}

void move_bot(const World& w, core::Tick now, Bot& bot, const Command& cmd) {
  const ChassisSpec& chassis = w.chassis(bot);
  const Map& map = *w.map;
  const float dt = 1.0f / static_cast<float>(w.rules.tick_rate);

  const float turn =
      std::clamp(angle_delta(bot.aim, aim_radians(cmd.aim)), -chassis.turn_rate * dt, chassis.turn_rate * dt);
  bot.aim = std::fmod(bot.aim + turn + kTwoPi, kTwoPi);

  const ModuleSpec& module = w.module(bot);
  if (module.kind == ModuleKind::Dash && bot.module_active(now)) {
    bot.vel = bot.dash_dir * module.magnitude;
  } else {
    // -128 is not a valid stick value; treat it as -127 so |move| <= 1.
    const auto axis = [](std::int8_t v) { return static_cast<float>(std::max<int>(v, -127)) / 127.0f; };
    const float top_speed = bot.is_stunned(now) ? chassis.max_speed * 0.5f : chassis.max_speed;
    const Vec2 stick = clamp_length({axis(cmd.move_x), axis(cmd.move_y)}, 1.0f);
    const Vec2 dv = clamp_length(stick * top_speed - bot.vel, chassis.acceleration * dt);
    bot.vel = clamp_length(bot.vel + dv, top_speed);
  }
  bot.pos += bot.vel * dt;

  push_out_of_walls(map, w.walls, bot.pos, chassis.radius);
}

float max_bot_radius(const Catalog& catalog) {
  float r = 0.0f;
  for (const ChassisSpec& c : catalog.chassis) r = std::max(r, c.radius);
  return r;
}

void rebuild_grid(World& w) {
  w.grid.reset(w.map->width, w.map->height);
  for (std::size_t i = 0; i < w.bots.size(); ++i) {
    if (w.bots[i].alive) w.grid.add(static_cast<std::uint32_t>(i), w.bots[i].pos);
  }
  w.grid.build();
}

void separate_bots(World& w) {
  const float reach = 2.0f * max_bot_radius(*w.catalog);
  for (std::size_t i = 0; i < w.bots.size(); ++i) {
    Bot& a = w.bots[i];
    if (!a.alive) continue;
    const ChassisSpec& ca = w.chassis(a);
    w.grid.for_each_near(a.pos, reach, [&](std::uint32_t j) {
      if (j <= i) return;  // each pair once, in ascending index order: deterministic
      Bot& b = w.bots[j];
      const ChassisSpec& cb = w.chassis(b);
      const float min_dist = ca.radius + cb.radius;
      const Vec2 d = b.pos - a.pos;
      const float d2 = length_sq(d);
      if (d2 >= min_dist * min_dist) return;
      const float dist = std::sqrt(d2);
      const Vec2 n = dist > 1e-6f ? d * (1.0f / dist) : Vec2{1.0f, 0.0f};
      const float overlap = min_dist - dist;
      const float share_a = cb.mass / (ca.mass + cb.mass);
      a.pos -= n * (overlap * share_a);
      b.pos += n * (overlap * (1.0f - share_a));
    });
  }
  // Pushes may have moved a bot into a wall or out of bounds.
  for (Bot& b : w.bots) {
    if (!b.alive) continue;
    push_out_of_walls(*w.map, w.walls, b.pos, w.chassis(b).radius);
  }
}

}  // namespace qbot::sim
