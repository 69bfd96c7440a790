#include "loopback.h"

#include <arpa/inet.h>

#include <charconv>

namespace qbot::attack {

core::Result<LoopbackIp, std::string> LoopbackIp::parse(std::string_view text) {
  const std::string s(text);
  in_addr addr{};
  if (::inet_pton(AF_INET, s.c_str(), &addr) != 1) {
    return core::Err{"'" + s + "' is not a dotted IPv4 address"};
  }
  const std::uint32_t ip = ntohl(addr.s_addr);
  if (!is_loopback(ip)) return core::Err{"'" + s + "' is outside 127.0.0.0/8: this tool only attacks loopback"};
  return LoopbackIp(ip);
}

core::Result<LoopbackIp, std::string> LoopbackIp::offset(LoopbackIp base, std::uint32_t offset) {
  const std::uint64_t sum = std::uint64_t{base.ip_} + offset;
  if (sum > 0x7FFFFFFFull || !is_loopback(static_cast<std::uint32_t>(sum))) {
    return core::Err{base.text() + " + " + std::to_string(offset) + " leaves 127.0.0.0/8"};
  }
  return LoopbackIp(static_cast<std::uint32_t>(sum));
}

std::string LoopbackIp::text() const {
  in_addr addr{};
  addr.s_addr = htonl(ip_);
  char buf[INET_ADDRSTRLEN] = {0};
  ::inet_ntop(AF_INET, &addr, buf, sizeof buf);
  return buf;
}

core::Result<Target, std::string> parse_target(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return core::Err{"--target: expected 127.x.y.z:port, got '" + std::string(text) + "'"};
  auto ip = LoopbackIp::parse(text.substr(0, colon));
  if (!ip) return core::Err{"--target: " + ip.error()};
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return core::Err{"--target: port must be 1..65535, got '" + std::string(port_text) + "'"};
  }
  return Target{*ip, static_cast<std::uint16_t>(port)};
}

}  // namespace qbot::attack
