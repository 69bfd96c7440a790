#pragma once
#include <cstdint>
#include <vector>

namespace qbot::test {

/// A port that was free a moment ago (bind to 0, read, release). Ports are
/// handed out round-robin from the kernel's choice, so parallel tests rarely
/// collide; servers under test report a bind failure clearly if they do.
std::uint16_t free_udp_port();
std::uint16_t free_tcp_port();

/// One raw UDP datagram to 127.0.0.1:port (hostile-input tests: no ENet).
void send_udp(std::uint16_t port, const std::vector<std::uint8_t>& bytes);

}  // namespace qbot::test
