#pragma once
#include <cstdint>

namespace qbot::proto {

/// Bumped whenever the meaning of the wire contract changes (docs/PROTOCOL.md).
constexpr std::uint16_t kProtocolVersion = 3;

}  // namespace qbot::proto
