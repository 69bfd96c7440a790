#include "sim/modules.h"

#include <algorithm>
#include <cmath>

#include "sim/movement.h"

namespace qbot::sim {

void use_module(World& w, Bot& bot, const Command& cmd, std::vector<Event>& events) {
  if (!(cmd.buttons & kUseModule) || !bot.alive || bot.is_stunned(w.tick) || w.tick < bot.module_ready_at) return;
  const ModuleSpec& m = w.module(bot);
  bot.module_ready_at = w.tick + ticks_for(w.rules, m.cooldown);
  bot.module_until = w.tick + ticks_for(w.rules, m.duration);
  events.push_back({Event::Kind::ModuleUsed, bot.id, 0, 0, bot.loadout.module});
  switch (m.kind) {
    case ModuleKind::Shield: bot.shield = static_cast<std::int32_t>(m.magnitude); break;
    case ModuleKind::Dash: {
      const auto axis = [](std::int8_t v) { return static_cast<float>(std::max<int>(v, -127)) / 127.0f; };
      const Vec2 stick{axis(cmd.move_x), axis(cmd.move_y)};
      const float len = length(stick);
      bot.dash_dir = len > 0.1f ? stick * (1.0f / len) : from_angle(bot.aim);
      break;
    }
    case ModuleKind::Repair: bot.repair_left = static_cast<std::int32_t>(m.magnitude); break;
    case ModuleKind::Emp: {
      const core::Tick until = w.tick + ticks_for(w.rules, m.duration);
      w.grid.for_each_near(bot.pos, m.radius, [&](std::uint32_t index) {
        Bot& other = w.bots[index];
        if (!other.alive || !are_enemies(w.rules, bot.team, bot.id, other.team, other.id)) return;
        if (length_sq(other.pos - bot.pos) > m.radius * m.radius) return;
        other.shield = 0;
        other.stunned_until = std::max(other.stunned_until, until);
      });
      break;
    }
  }
}

void upkeep(World& w, Bot& bot) {
  const float dt = 1.0f / static_cast<float>(w.rules.tick_rate);
  for (std::size_t s = 0; s < 2; ++s) {
    bot.heat[s] = std::max(0.0f, bot.heat[s] - w.weapon(bot, static_cast<Slot>(s)).cooling * dt);
  }
  const ModuleSpec& m = w.module(bot);
  const bool active = bot.module_active(w.tick);
  if (m.kind == ModuleKind::Shield && !active) bot.shield = 0;
  if (m.kind == ModuleKind::Repair && active && bot.repair_left > 0) {
    // Spread the repair evenly over the duration, rounding up.
    const auto ticks = static_cast<std::int32_t>(ticks_for(w.rules, m.duration));
    const std::int32_t per_tick = (static_cast<std::int32_t>(m.magnitude) + ticks - 1) / ticks;
    const std::int32_t heal = std::min({per_tick, bot.repair_left, w.chassis(bot).hp - bot.hp});
    bot.hp += std::max(0, heal);
    bot.repair_left -= std::max(per_tick, 0);
  }
}

}  // namespace qbot::sim
