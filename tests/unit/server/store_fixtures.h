#pragma once
// The two Store fixtures every contract test runs against: MemoryStore on
// virtual time and RedisStore on a real redis-server (one per test binary,
// flushed before each test). Contract tests are TYPED_TESTs over `Stores`.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "redis_server.h"
#include "server/matchmaking/memory_store.h"
#include "server/matchmaking/redis_store.h"
#include "wait.h"

namespace qbot::test {

using namespace qbot::server;
using namespace std::chrono_literals;

struct MemoryFixture {
  std::chrono::milliseconds now{1000};
  MemoryStore store{[this] { return now; }};
  /// Lets `ttl` pass and reports whether `id` has left the registry.
  bool expires(const std::string& id, std::chrono::milliseconds ttl) {
    now += ttl + 1ms;
    auto live = store.live_servers();
    return live.ok() && std::none_of(live->begin(), live->end(), [&](auto& s) { return s.id == id; });
  }
};

struct RedisFixture {
  static inline std::unique_ptr<RedisServer> server;
  std::unique_ptr<RedisStore> owned;
  RedisStore& store;
  RedisFixture() : owned(make()), store(*owned) {}
  static std::unique_ptr<RedisStore> make() {
    if (!server) server = std::make_unique<RedisServer>();
    server->flushall();
    auto url = parse_redis_url(server->url());
    return std::make_unique<RedisStore>(*url, "qbot:", 2000ms);
  }
  bool expires(const std::string& id, std::chrono::milliseconds ttl) {
    return eventually(
        [&] {
          auto live = store.live_servers();
          return live.ok() && std::none_of(live->begin(), live->end(), [&](auto& s) { return s.id == id; });
        },
        ttl + 3000ms, 50ms);
  }
};

template <class F>
class StoreContract : public ::testing::Test {
 protected:
  F fx;
};

using Stores = ::testing::Types<MemoryFixture, RedisFixture>;

}  // namespace qbot::test
