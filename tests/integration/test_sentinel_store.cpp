// The store under Sentinel never writes to a node that is not the primary:
// a real sentinel names a real redis-server that has been demoted to a
// replica (replica-read-only off, so only the store's ROLE check stands
// between it and the write), and the store must refuse rather than write.
// And with --redis-wait-replicas, a result WAIT could not confirm (no replica
// right after a failover) is confirmed by its redelivery, counted applied.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "redis_server.h"
#include "redis_store_of.h"
#include "sentinel_cluster.h"
#include "server/store/redis_connection.h"
#include "server/store/redis_store.h"
#include "store_fixtures.h"
#include "wait.h"

using namespace qbot::test;
using namespace qbot;
using namespace qbot::server;
using namespace std::chrono_literals;

namespace {

/// One sentinel watching a primary without replicas, slow to call it down:
/// it keeps naming the primary for the whole test, whatever it becomes.
SentinelCluster::Options one_patient_sentinel() {
  SentinelCluster::Options o;
  o.sentinels = 1;
  o.quorum = 1;
  o.down_after_ms = 60000;
  o.failover_timeout_ms = 60000;
  o.replica = false;
  return o;
}

std::unique_ptr<RedisStore> store_through(const SentinelCluster& cluster) {
  RedisEndpoint where;
  where.sentinels = *parse_host_ports(cluster.sentinel_list());
  where.master = SentinelCluster::kMaster;
  return std::make_unique<RedisStore>(where, redis_options());
}

ServerInfo server_named(const std::string& id) {
  ServerInfo s;
  s.id = id;
  s.host = "127.0.0.1";
  s.port = 7777;
  s.region = "eu";
  s.capacity = 8;
  s.arenas = 1;
  s.version = "test";
  s.key_fingerprint = token::key_fingerprint(token::derive_key(kUnitFleetSecret));
  return s;
}

/// Demotes `node` to a replica of `primary` that still accepts writes, and
/// waits until it has synced (the sync replaces its data once).
void demote(RedisServer& node, const RedisServer& primary) {
  ASSERT_EQ(node.command({"CONFIG", "SET", "replica-read-only", "no"}), "OK");
  ASSERT_EQ(node.command({"REPLICAOF", "127.0.0.1", std::to_string(primary.port())}), "OK");
  ASSERT_TRUE(eventually(
      [&] {
        return node.command({"INFO", "replication"}).find("master_link_status:up") != std::string::npos;
      },
      10s));
}

bool registered_on(const RedisServer& node, const std::string& id) {
  return node.command({"ZSCORE", "qbot:servers", id}) != "(nil)";
}

}  // namespace

TEST(SentinelStore, RefusesEveryWriteWithIoWhenTheNodeTheSentinelsNameIsAReplica) {
  SentinelCluster cluster(one_patient_sentinel());
  RedisServer elsewhere;
  demote(cluster.primary(), elsewhere);
  ASSERT_EQ(cluster.named_primary(), cluster.primary().port());  // the sentinel still names it

  auto store = store_through(cluster);
  for (int i = 0; i < 5; ++i) {
    const std::string id = "refused-" + std::to_string(i);
    auto r = store->heartbeat_server(server_named(id), 10000);
    ASSERT_FALSE(r.ok()) << id << " was written";
    EXPECT_EQ(r.error().kind, StoreError::Kind::Io);
    EXPECT_NE(r.error().message.find("is not the primary"), std::string::npos) << r.error().message;
    EXPECT_FALSE(registered_on(cluster.primary(), id));
    EXPECT_FALSE(registered_on(elsewhere, id));
  }
}

TEST(SentinelStore, StopsWritingToItsPrimaryWithinARecheckOfItsDemotionAndNeverWritesThereAgain) {
  SentinelCluster cluster(one_patient_sentinel());
  RedisServer elsewhere;
  auto store = store_through(cluster);
  ASSERT_TRUE(store->heartbeat_server(server_named("before"), 10000).ok());
  ASSERT_TRUE(registered_on(cluster.primary(), "before"));

  demote(cluster.primary(), elsewhere);
  const auto demoted = std::chrono::steady_clock::now();
  // Until its next ROLE check (kPrimaryRecheckMs) the store may still write
  // to the node it checked; after that, never.
  int n = 0;
  ASSERT_TRUE(
      eventually([&] { return !store->heartbeat_server(server_named("probe-" + std::to_string(n++)), 10000).ok(); }, 5s,
                 20ms));
  const auto refused_after = std::chrono::steady_clock::now() - demoted;
  EXPECT_LE(refused_after, std::chrono::milliseconds(RedisConnection::kPrimaryRecheckMs) + 1s);
  for (int i = 0; i < 20; ++i) {
    const std::string id = "after-" + std::to_string(i);
    auto r = store->heartbeat_server(server_named(id), 10000);
    ASSERT_FALSE(r.ok()) << id << " was written to the demoted primary";
    EXPECT_EQ(r.error().kind, StoreError::Kind::Io);
    EXPECT_FALSE(registered_on(cluster.primary(), id));
    EXPECT_FALSE(registered_on(elsewhere, id));
  }
}

TEST(SentinelStore, AResultWaitCouldNotConfirmIsIoThenAppliedOnceWhenItsRedeliveryFindsAReplica) {
  RedisServer primary;
  RedisOptions options = redis_options();
  options.wait_replicas = 1;
  auto store = redis_store_with(primary.url(), options);
  const MatchResult result = ffa_result(501, {1, 2});

  auto unconfirmed = store->submit_result(result);  // written on the primary, no replica to acknowledge it
  ASSERT_FALSE(unconfirmed.ok());
  EXPECT_EQ(unconfirmed.error().kind, StoreError::Kind::Io);
  EXPECT_NE(unconfirmed.error().message.find("replica"), std::string::npos) << unconfirmed.error().message;

  RedisServer::Options as_replica;
  as_replica.extra = {"--replicaof", "127.0.0.1", std::to_string(primary.port())};
  RedisServer replica(as_replica);
  ASSERT_TRUE(eventually(
      [&] {
        return replica.command({"INFO", "replication"}).find("master_link_status:up") != std::string::npos;
      },
      10s));
  // Redelivered as the journal would, until a WAIT sees the replica's ack
  // (500 ms each; a loaded host can miss one): every miss is Io again.
  auto confirmed = store->submit_result(result);
  for (int attempt = 1; attempt < 10 && !confirmed.ok(); ++attempt) {
    EXPECT_EQ(confirmed.error().kind, StoreError::Kind::Io) << confirmed.error().message;
    confirmed = store->submit_result(result);
  }
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message;
  EXPECT_TRUE(*confirmed) << "this store's own unconfirmed write, now confirmed, is applied, not a duplicate";
  auto again = store->submit_result(result);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(*again) << "a second delivery of a confirmed result is a duplicate";

  auto stream = redis_store_of(replica.url())->results(0, 10);
  ASSERT_TRUE(stream.ok()) << stream.error().message;
  ASSERT_EQ(stream->size(), 1u);
  EXPECT_EQ(stream->front().match_id, 501u);
}
