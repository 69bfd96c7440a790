#pragma once
#include <cstdint>

#include "sim/world.h"

namespace qbot::sim {

/// Hash of every simulated field (bit-exact floats). Equal worlds hash equal;
/// replays compare it at checkpoints.
std::uint64_t world_hash(const World& world);

}  // namespace qbot::sim
