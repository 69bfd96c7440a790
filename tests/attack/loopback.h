#pragma once
// Addresses the attack tool may use: 127.0.0.0/8 only. Every target and
// every source address goes through these types, so a datagram can only
// leave for loopback (a Target cannot be built for anything else).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace qbot::attack {

/// An IPv4 address inside 127.0.0.0/8, in host byte order.
class LoopbackIp {
 public:
  /// Parses dotted quad text; an error names the text and why (not IPv4,
  /// or outside 127.0.0.0/8).
  static core::Result<LoopbackIp, std::string> parse(std::string_view text);
  /// `base` + `offset`; an error when the sum leaves 127.0.0.0/8.
  static core::Result<LoopbackIp, std::string> offset(LoopbackIp base, std::uint32_t offset);

  std::uint32_t host_order() const { return ip_; }
  std::string text() const;

 private:
  explicit LoopbackIp(std::uint32_t ip) : ip_(ip) {}
  std::uint32_t ip_;
};

/// The server under attack: a loopback address and a UDP port.
struct Target {
  LoopbackIp ip;
  std::uint16_t port;
  std::string text() const { return ip.text() + ":" + std::to_string(port); }
};

/// Parses "127.a.b.c:port". Refuses names, other networks and port 0.
core::Result<Target, std::string> parse_target(std::string_view text);

/// True for 127.0.0.0/8 (host byte order): the last check before a send.
constexpr bool is_loopback(std::uint32_t host_order_ip) { return (host_order_ip >> 24) == 127u; }

}  // namespace qbot::attack
