#include "server/store/redis_url.h"

#include <charconv>
#include <limits>

namespace qbot::server {
namespace {

/// Far more databases than any Redis is configured with (16 by default): a
/// larger number is a typo, refused here rather than by SELECT.
constexpr unsigned kMaxDatabase = 1000;
constexpr unsigned kMaxPort = std::numeric_limits<std::uint16_t>::max();
/// More sentinels than any deployment runs (3 or 5): a longer list is a typo.
constexpr std::size_t kMaxSentinels = 16;

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

core::Result<std::vector<HostPort>, std::string> parse_host_ports(std::string_view list) {
  std::vector<HostPort> out;
  for (std::size_t start = 0;;) {
    const auto comma = list.find(',', start);
    const std::string_view item =
        list.substr(start, comma == std::string_view::npos ? list.size() - start : comma - start);
    const auto colon = item.rfind(':');
    unsigned port = 0;
    if (colon == std::string_view::npos || colon == 0 || !parse_uint(item.substr(colon + 1), kMaxPort, port) ||
        port == 0) {
      return core::Err{"expected host:port with a port 1..65535, got '" + std::string(item) + "'"};
    }
    if (out.size() == kMaxSentinels) return core::Err{"more than " + std::to_string(kMaxSentinels) + " entries"};
    out.push_back(HostPort{std::string(item.substr(0, colon)), static_cast<std::uint16_t>(port)});
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

std::string RedisEndpoint::describe() const {
  if (!uses_sentinels()) return url.describe();
  std::string out = "sentinel://";
  for (std::size_t i = 0; i < sentinels.size(); ++i) out += (i == 0 ? "" : ",") + sentinels[i].describe();
  return out + "/" + master + "/" + std::to_string(url.db);
}

}  // namespace qbot::server
