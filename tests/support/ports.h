#pragma once
#include <cstdint>

namespace qbot::test {

/// A port that was free a moment ago (bind to 0, read, release). Ports are
/// handed out round-robin from the kernel's choice, so parallel tests rarely
/// collide; servers under test report a bind failure clearly if they do.
std::uint16_t free_udp_port();
std::uint16_t free_tcp_port();

}  // namespace qbot::test
