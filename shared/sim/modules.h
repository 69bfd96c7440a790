#pragma once
// Modules (shield, dash, repair, EMP): activation with cooldowns, and the
// per-tick upkeep of running effects.
#include <vector>

#include "sim/command.h"
#include "sim/step.h"
#include "sim/world.h"

namespace qbot::sim {

/// Activates the bot's module if `cmd` asks and it is ready (off cooldown,
/// bot alive and not stunned).
void use_module(World& world, Bot& bot, const Command& cmd, std::vector<Event>& events);

/// Runs active effects for one tick (repair heals, an expired shield drops)
/// and cools the weapons.
void upkeep(World& world, Bot& bot);

}  // namespace qbot::sim
