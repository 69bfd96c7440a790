#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace qbot::server {

/// redis://[[user]:password@]host[:port][/db]
struct RedisUrl {
  std::string host;
  std::uint16_t port = 6379;
  std::string password;  // empty = no AUTH
  int db = 0;            // 0..15 on a default Redis
  std::string describe() const { return "redis://" + host + ":" + std::to_string(port) + "/" + std::to_string(db); }
};

core::Result<RedisUrl, std::string> parse_redis_url(std::string_view url);

}  // namespace qbot::server
