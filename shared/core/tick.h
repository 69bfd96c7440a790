#pragma once
#include <cstdint>

namespace qbot::core {

/// Simulation tick number. Tick 0 means "none"; the first simulated tick is 1.
/// At 128 Hz a uint32 lasts > 1 year of uptime per arena.
using Tick = std::uint32_t;

}  // namespace qbot::core
