#include "http_get.h"

#include "net/http_get.h"

namespace qbot::test {

std::optional<std::string> http_get(std::uint16_t port, const std::string& path) {
  auto body = net::http_get({"127.0.0.1", port, path});
  if (!body) return std::nullopt;
  return std::move(body.value());
}

}  // namespace qbot::test
