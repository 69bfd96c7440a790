// open_stores and check_fleet_secret: what a qbot-server opens from its
// Config, and the start-up refusal to join a fleet of another token key.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "server/open_stores.h"
#include "server/store/memory_store.h"
#include "token/record_mac.h"

using namespace qbot::server;

namespace {

StoreClocks fixed_clocks() {
  return {[] { return std::uint64_t{1'000'000}; }, [] { return std::uint64_t{5}; }};
}

/// A store whose registry holds one live server of the key of `secret`.
std::unique_ptr<MemoryStore> registry_with_server_of(const std::string& secret) {
  auto store = std::make_unique<MemoryStore>([] { return std::chrono::milliseconds(1'000'000); });
  ServerInfo other;
  other.id = "other";
  other.host = "127.0.0.1";
  other.port = 7777;
  other.region = "local";
  other.capacity = 64;
  other.key_fingerprint = qbot::token::key_fingerprint(qbot::token::derive_key(secret));
  EXPECT_TRUE(store->heartbeat_server(other, 5000).ok());
  return store;
}

}  // namespace

TEST(OpenStores, WithoutRedisTheServerAndMatchmakerShareOneInMemoryStore) {
  prometheus::Registry registry;
  Metrics metrics(registry);
  Config cfg;
  auto stores = open_stores(cfg, metrics, fixed_clocks());
  ASSERT_TRUE(stores.ok()) << stores.error();
  EXPECT_EQ(stores->matchmaker, nullptr);
  EXPECT_EQ(&stores->for_matchmaker(), stores->server.get());
}

TEST(OpenStores, ARedisUrlOrSentinelListThatDoesNotParseIsRefusedNamingTheFlag) {
  prometheus::Registry registry;
  Metrics metrics(registry);
  Config bad_url;
  bad_url.redis = "http://nope";
  auto a = open_stores(bad_url, metrics, fixed_clocks());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().find("--redis:"), std::string::npos) << a.error();
  Config bad_sentinels;
  bad_sentinels.redis_sentinel = "127.0.0.1:notaport";
  auto b = open_stores(bad_sentinels, metrics, fixed_clocks());
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().find("--redis-sentinel:"), std::string::npos) << b.error();
}

TEST(CheckFleetSecret, AFleetOfAnotherKeyIsRefusedWhetherRedisIsFoundByUrlOrThroughSentinel) {
  auto store = registry_with_server_of("the fleet's secret");
  Config by_url;
  by_url.server_id = "me";
  by_url.token_secret = "another secret";
  by_url.redis = "redis://127.0.0.1:6379";
  const auto refused = check_fleet_secret(by_url, *store);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("refusing to start"), std::string::npos) << refused.error();

  Config by_sentinel = by_url;
  by_sentinel.redis.clear();
  by_sentinel.redis_sentinel = "127.0.0.1:26379";
  EXPECT_FALSE(check_fleet_secret(by_sentinel, *store).ok()) << "the same fleet, found through Sentinel";

  Config same_key = by_sentinel;
  same_key.token_secret = "the fleet's secret";
  EXPECT_TRUE(check_fleet_secret(same_key, *store).ok());
  Config in_memory = by_url;
  in_memory.redis.clear();
  EXPECT_TRUE(check_fleet_secret(in_memory, *store).ok()) << "no Redis: no fleet to join";
}

TEST(OpenStores, RedisIsInUseWhenFoundByUrlOrThroughSentinel) {
  Config cfg;
  EXPECT_FALSE(cfg.uses_redis());
  cfg.redis_sentinel = "127.0.0.1:26379";
  EXPECT_TRUE(cfg.uses_redis());
  cfg.redis_sentinel.clear();
  cfg.redis = "redis://127.0.0.1:6379";
  EXPECT_TRUE(cfg.uses_redis());
}
