#pragma once
// Weapons and damage: firing (rate, heat, spread), hitscan with lag
// compensation, and how damage meets spawn protection, teams, armor and shields.
#include <vector>

#include "sim/command.h"
#include "sim/step.h"
#include "sim/world.h"

namespace qbot::sim {

/// Fires whichever weapons `cmd` asks for and the bot's parts allow now.
void fire_weapons(World& world, Bot& bot, const Command& cmd, std::vector<Event>& events);

/// Applies `raw` damage from `attacker` (0 = the world) to `target`.
/// No effect on dead or spawn-protected targets, or teammates in team
/// mode. Armor scales it down (at least 1 point), the shield absorbs first.
void apply_damage(World& world, EntityId attacker, Bot& target, std::int32_t raw, PartIndex weapon,
                  std::vector<Event>& events);

/// The tick a hitscan shot is checked against: the shooter's view tick,
/// never older than Rules::max_rewind_ticks, never newer than now; 0 when
/// the view is unknown (then the current world is used).
core::Tick rewind_tick(const World& world, core::Tick view_tick);

/// Traces a ray from `from` along unit `dir` for `range` metres against
/// walls and the enemies of `shooter` as they were at `view_tick` (see
/// rewind_tick). Returns the index into world.bots of the bot hit, or -1.
int trace_hitscan(const World& world, const Bot& shooter, Vec2 from, Vec2 dir, float range, core::Tick view_tick);

}  // namespace qbot::sim
