#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace qbot::net {

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
  bool operator==(const Endpoint&) const = default;
};

/// Parses "host:port" (port 1..65535). The error says what is wrong.
core::Result<Endpoint, std::string> parse_endpoint(std::string_view text);

}  // namespace qbot::net
