#pragma once
// Projectiles in flight: homing steering, swept movement (no tunnelling at
// low tick rates), hits on enemies and walls, expiry at the weapon's range.
#include <vector>

#include "sim/step.h"
#include "sim/world.h"

namespace qbot::sim {

void advance_projectiles(World& world, std::vector<Event>& events);

}  // namespace qbot::sim
