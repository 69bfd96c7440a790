// One contract, two stores: every behaviour the server relies on is checked
// against MemoryStore (virtual time) and RedisStore (a real redis-server).
#include <gtest/gtest.h>

#include <memory>

#include "store_fixtures.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::test;
using namespace std::chrono_literals;

namespace {

TYPED_TEST_SUITE(StoreContract, Stores);

}  // namespace

TYPED_TEST(StoreContract, HeartbeatRegistersAndRefreshes) {
  auto& store = this->fx.store;
  const std::uint64_t before = this->fx.clock_ms();
  ASSERT_TRUE(store.heartbeat_server(registry_entry("srv-a", 3), 5000).ok());
  const std::uint64_t after = this->fx.clock_ms();
  ASSERT_TRUE(store.heartbeat_server(registry_entry("srv-b", 1), 5000).ok());
  auto live = store.live_servers();
  ASSERT_TRUE(live.ok()) << live.error().message;
  ASSERT_EQ(live->size(), 2u);
  EXPECT_EQ((*live)[0].id, "srv-a");
  EXPECT_EQ((*live)[0].players, 3u);
  EXPECT_EQ((*live)[0].host, "10.0.0.1");
  EXPECT_EQ((*live)[0].region, "eu");
  EXPECT_EQ((*live)[0].key_fingerprint, "00112233aabbccdd");  // what matchmakers compare keys by
  // Stamped with the store's clock at the heartbeat.
  EXPECT_GE((*live)[0].heartbeat_ms, before);
  EXPECT_LE((*live)[0].heartbeat_ms, after);
  // A refresh replaces the advertised load and the stamp.
  const std::uint64_t first_stamp = (*live)[0].heartbeat_ms;
  this->fx.let_pass(20ms);
  const std::uint64_t refreshing = this->fx.clock_ms();
  ASSERT_TRUE(store.heartbeat_server(registry_entry("srv-a", 9), 5000).ok());
  const std::uint64_t refreshed = this->fx.clock_ms();
  live = store.live_servers();
  ASSERT_TRUE(live.ok()) << live.error().message;
  EXPECT_EQ((*live)[0].players, 9u);
  EXPECT_GE((*live)[0].heartbeat_ms, refreshing);
  EXPECT_LE((*live)[0].heartbeat_ms, refreshed);
  EXPECT_GE((*live)[0].heartbeat_ms, first_stamp + 20);
}

TYPED_TEST(StoreContract, DeregisterRemovesImmediately) {
  auto& store = this->fx.store;
  ASSERT_TRUE(store.heartbeat_server(registry_entry("srv-a"), 5000).ok());
  auto gone = store.deregister_server("srv-a");
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(*gone);
  EXPECT_FALSE(*store.deregister_server("srv-a"));
  EXPECT_TRUE(store.live_servers()->empty());
}

TYPED_TEST(StoreContract, EntriesExpireWithoutHeartbeats) {
  auto& store = this->fx.store;
  ASSERT_TRUE(store.heartbeat_server(registry_entry("srv-dies"), 600).ok());
  ASSERT_TRUE(store.heartbeat_server(registry_entry("srv-lives"), 60000).ok());
  EXPECT_TRUE(this->fx.expires("srv-dies", 600ms));
  auto live = store.live_servers();
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].id, "srv-lives");
}

TYPED_TEST(StoreContract, InvalidIdsAreRefused) {
  auto& store = this->fx.store;
  EXPECT_FALSE(store.heartbeat_server(registry_entry("bad id with spaces"), 1000).ok());
  EXPECT_FALSE(store.heartbeat_server(registry_entry(""), 1000).ok());
  EXPECT_FALSE(store.heartbeat_server(registry_entry("x/../../etc"), 1000).ok());
}

TEST(RedisStore, HostileRegistryEntriesAreSkippedAndCounted) {
  RedisFixture fx;
  ASSERT_TRUE(fx.store.heartbeat_server(registry_entry("good"), 60000).ok());
  auto& redis = *RedisFixture::server;
  // Somebody wrote garbage into the registry.
  redis.command({"ZADD", "qbot:servers", "99999999999999", "evil"});
  redis.command({"HSET", "qbot:server:evil", "port", "not-a-number", "host", "x"});
  redis.command({"ZADD", "qbot:servers", "99999999999999", "bad id"});
  redis.command({"HSET", "qbot:server:bad id", "port", "1"});
  auto live = fx.store.live_servers();
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].id, "good");
  EXPECT_EQ(fx.store.malformed_entries(), 2u);
}

TEST(RedisStore, UnreachableRedisIsAnErrorNotACrash) {
  auto owned = redis_store_of("redis://127.0.0.1:1", kUnitFleetSecret, 200ms);
  RedisStore& store = *owned;
  auto r = store.heartbeat_server(registry_entry("srv"), 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("127.0.0.1:1"), std::string::npos) << r.error().message;
}

TEST(RedisStore, KeysCarryTheConfiguredPrefixAndTtl) {
  RedisFixture fx;
  auto options = redis_options();
  options.prefix = "custom:";
  auto owned = redis_store_with(RedisFixture::server->url(), options);
  RedisStore& store = *owned;
  ASSERT_TRUE(store.heartbeat_server(registry_entry("srv-p"), 5000).ok());
  auto& redis = *RedisFixture::server;
  EXPECT_EQ(redis.command({"HGET", "custom:server:srv-p", "port"}), "7777");
  const int ttl = std::stoi(redis.command({"PTTL", "custom:server:srv-p"}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 5000);
  EXPECT_EQ(redis.command({"EXISTS", "qbot:server:srv-p"}), "0");
}
