#include "net/address.h"

#include <charconv>

namespace qbot::net {

core::Result<Endpoint, std::string> parse_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return core::Err{std::string("expected host:port, got '") + std::string(text) + "'"};
  }
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return core::Err{std::string("port must be 1..65535, got '") + std::string(port_text) + "'"};
  }
  return Endpoint{std::string(text.substr(0, colon)), static_cast<std::uint16_t>(port)};
}

}  // namespace qbot::net
