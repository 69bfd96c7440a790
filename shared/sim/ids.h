#pragma once
#include <cstdint>

namespace qbot::sim {

/// Entity id inside one world, as on the wire: bots 1..255, projectiles 256..65535.
using EntityId = std::uint16_t;

}  // namespace qbot::sim
