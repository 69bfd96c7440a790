#pragma once
// A RedisStore for a test, as a server of a fleet with `secret` would open it
// (its records' tags come from that fleet key; main.cpp does the same).
#include <chrono>
#include <memory>
#include <string>

#include "server/store/redis_store.h"
#include "token/record_mac.h"

namespace qbot::test {

/// The fleet secret of unit tests (integration tests pass their servers' one).
inline const std::string kUnitFleetSecret = "unit-test-fleet-secret";

inline server::RedisOptions redis_options(const std::string& secret = kUnitFleetSecret,
                                          std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
  server::RedisOptions o;
  o.timeout = timeout;
  o.record_key = token::record_key(token::derive_key(secret));
  return o;
}

/// A store with exactly `options` (a prefix of its own, another key).
inline std::unique_ptr<server::RedisStore> redis_store_with(const std::string& url, server::RedisOptions options) {
  server::RedisEndpoint where;
  where.url = *server::parse_redis_url(url);
  return std::make_unique<server::RedisStore>(where, std::move(options));
}

inline std::unique_ptr<server::RedisStore> redis_store_of(
    const std::string& url, const std::string& secret = kUnitFleetSecret,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
  return redis_store_with(url, redis_options(secret, timeout));
}

}  // namespace qbot::test
