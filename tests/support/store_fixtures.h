#pragma once
// The two Store fixtures every contract test runs against: MemoryStore on
// virtual time and RedisStore on a real redis-server (one per test binary,
// flushed before each test). Contract tests are TYPED_TESTs over `Stores`.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "redis_server.h"
#include "redis_store_of.h"
#include "server/store/memory_store.h"
#include "server/store/redis_store.h"
#include "wait.h"

namespace qbot::test {

using namespace qbot;
using namespace qbot::server;
using namespace std::chrono_literals;

struct MemoryFixture {
  std::chrono::milliseconds now{1000};
  MemoryStore store{[this] { return now; }};
  /// The store's clock, ms (what it stamps heartbeats and tickets with).
  std::uint64_t clock_ms() const { return static_cast<std::uint64_t>(now.count()); }
  /// Moves the store's clock `d` forward.
  void let_pass(std::chrono::milliseconds d) { now += d; }
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
    return redis_store_of(server->url());
  }
  /// The store's clock, ms: Redis's own TIME (what its scripts stamp with).
  static std::uint64_t clock_ms() {
    const std::string t = server->command({"TIME"});  // "<seconds> <microseconds>"
    const auto space = t.find(' ');
    return std::stoull(t.substr(0, space)) * 1000 + std::stoull(t.substr(space + 1)) / 1000;
  }
  /// Returns once Redis's clock has moved `d` forward (polled, bounded).
  static void let_pass(std::chrono::milliseconds d) {
    const std::uint64_t until = clock_ms() + static_cast<std::uint64_t>(d.count());
    EXPECT_TRUE(eventually([&] { return clock_ms() >= until; }, d + 2000ms, 1ms)) << "Redis's clock stands still";
  }
  /// Another store on the same redis-server (its own connection), as a
  /// second server process would have.
  static std::unique_ptr<RedisStore> another_store() { return redis_store_of(server->url()); }
  bool expires(const std::string& id, std::chrono::milliseconds ttl) {
    return eventually(
        [&] {
          auto live = store.live_servers();
          return live.ok() && std::none_of(live->begin(), live->end(), [&](auto& s) { return s.id == id; });
        },
        ttl + 3000ms, 50ms);
  }
};

/// A registry entry as a server's heartbeat sends it; `counted` are the
/// matches whose seats `players` counts (no longer pending in the store).
inline ServerInfo registry_entry(const std::string& id, std::uint32_t players = 0, std::vector<MatchId> counted = {}) {
  ServerInfo s;
  s.id = id;
  s.host = "10.0.0.1";
  s.port = 7777;
  s.region = "eu";
  s.capacity = 64;
  s.players = players;
  s.arenas = 1;
  s.version = "0.1.0";
  s.key_fingerprint = "00112233aabbccdd";
  s.counted_matches = std::move(counted);
  return s;
}

/// A bot for a garage (the store does not check parts against a catalog).
inline BotRecord garage_bot(const std::string& name) {
  BotRecord b;
  b.loadout = {name, "scout", "blaster", "mine", "boost", 7};
  return b;
}

/// A free-for-all result: `by_placement` lists the accounts 1st, 2nd, ...;
/// each plays bot `bot_id`, kills = players behind it, deaths = places above.
inline MatchResult ffa_result(MatchId id, const std::vector<AccountId>& by_placement, std::uint32_t bot_id = 1) {
  MatchResult r;
  r.match_id = id;
  r.server_id = "srv-1";
  r.mode = "ffa";
  r.ended_ms = 1000 + id;
  for (std::size_t i = 0; i < by_placement.size(); ++i) {
    ResultRow row;
    row.account = by_placement[i];
    row.bot_id = bot_id;
    row.kills = static_cast<std::uint32_t>(by_placement.size() - 1 - i);
    row.deaths = static_cast<std::uint32_t>(i);
    row.damage = 100;
    row.score = static_cast<std::int32_t>(row.kills);
    row.placement = static_cast<std::uint8_t>(i + 1);
    r.rows.push_back(row);
  }
  return r;
}

template <class F>
class StoreContract : public ::testing::Test {
 protected:
  F fx;
};

using Stores = ::testing::Types<MemoryFixture, RedisFixture>;

}  // namespace qbot::test
