#pragma once
// Where the store's Redis is: one URL, or a primary found through Redis
// Sentinel (docs/REDIS.md "High availability"). Parsed from configuration;
// every refusal says which part is wrong.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
  std::string describe() const { return host + ":" + std::to_string(port); }
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

/// "host:port[,host:port...]": 1..16 sentinels, each with a port 1..65535.
core::Result<std::vector<HostPort>, std::string> parse_host_ports(std::string_view list);

/// The store's Redis. Without sentinels: `url`. With sentinels: the primary
/// of `master` as the sentinels name it, reached with `url`'s password and
/// db (its host and port are not used).
struct RedisEndpoint {
  RedisUrl url;
  std::vector<HostPort> sentinels;
  std::string master;
  bool uses_sentinels() const { return !sentinels.empty(); }
  /// For logs; never the password.
  std::string describe() const;
};

}  // namespace qbot::server
