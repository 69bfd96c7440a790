#include "server/store/redis_url.h"

#include <charconv>
#include <limits>

namespace qbot::server {
namespace {

/// Far more databases than any Redis is configured with (16 by default): a
/// larger number is a typo, refused here rather than by SELECT.
constexpr unsigned kMaxDatabase = 1000;
constexpr unsigned kMaxPort = std::numeric_limits<std::uint16_t>::max();

bool parse_uint(std::string_view s, unsigned max, unsigned& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out <= max;
}
}  // namespace

core::Result<RedisUrl, std::string> parse_redis_url(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return core::Err{std::string("redis URL must start with redis:// (TLS is not supported by hiredis 0.14)")};
  }
  std::string_view rest = url.substr(kScheme.size());
  RedisUrl out;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view cred = rest.substr(0, at);
    if (const auto colon = cred.find(':'); colon != std::string_view::npos) cred = cred.substr(colon + 1);
    out.password = std::string(cred);
    rest = rest.substr(at + 1);
  }
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    unsigned db = 0;
    const std::string_view db_text = rest.substr(slash + 1);
    if (!db_text.empty() && !parse_uint(db_text, kMaxDatabase, db)) {
      return core::Err{"redis URL database must be a number, got '" + std::string(db_text) + "'"};
    }
    out.db = static_cast<int>(db);
    rest = rest.substr(0, slash);
  }
  if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    unsigned port = 0;
    if (!parse_uint(rest.substr(colon + 1), kMaxPort, port) || port == 0) {
      return core::Err{"redis URL port must be 1..65535, got '" + std::string(rest.substr(colon + 1)) + "'"};
    }
    out.port = static_cast<std::uint16_t>(port);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return core::Err{std::string("redis URL has no host")};
  out.host = std::string(rest);
  return out;
}

}  // namespace qbot::server
