#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace qbot::test {

/// GET http://127.0.0.1:port/path; the body, or nullopt on any failure.
std::optional<std::string> http_get(std::uint16_t port, const std::string& path);

}  // namespace qbot::test
