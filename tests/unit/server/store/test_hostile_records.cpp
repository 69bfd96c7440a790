// Records nobody of the fleet wrote, on a real redis-server: a registry
// entry of the wrong type, a plausible forged one (and one of another
// fleet), a planted result marker, a ticket that dropped out of its queue,
// a match-id counter lost or planted. Each is skipped, replaced or repaired
// and counted in StoreHealth; matchmaking keeps going to real servers only.
#include <gtest/gtest.h>

#include "server/matchmaking/fleet_keys.h"
#include "server/matchmaking/matchmaker.h"
#include "ticket_fixtures.h"

namespace qbot::test {
namespace {

std::uint64_t rejected(const RedisStore& store, RecordKind kind) {
  return store.health().rejected[static_cast<std::size_t>(kind)];
}

/// A registry entry far in the future of the live-servers zset, as a
/// hostile writer would plant it (our own entries expire within their TTL).
void plant_member(const std::string& id) {
  RedisFixture::server->command({"ZADD", "qbot:servers", std::to_string(RedisFixture::clock_ms() + 3'600'000), id});
}

/// Eight waiting ffa tickets in eu, accounts first..first+7.
void queue_eight(RedisStore& store, AccountId first) {
  for (AccountId a = first; a < first + 8; ++a) ASSERT_TRUE(store.enqueue(ticket(a), kLongTtl).ok());
}

/// One matchmaker pass; the servers every assigned ticket was sent to.
std::vector<std::string> servers_matched(RedisStore& store, AccountId first) {
  MatchmakerConfig config;
  config.key = token::derive_key(kUnitFleetSecret);
  config.key_fingerprint = registry_entry("any").key_fingerprint;  // the one our fixture servers publish
  Matchmaker mm(store, config);
  const PassStats stats = mm.run_pass(RedisFixture::clock_ms(), RedisFixture::clock_ms());
  EXPECT_EQ(stats.store_errors, 0u) << stats.first_error;
  EXPECT_EQ(stats.tickets_assigned, 8u);
  std::vector<std::string> hosts;
  for (AccountId a = first; a < first + 8; ++a) {
    auto s = store.poll_tickets(std::vector<AccountId>{a}, kLongTtl);
    if (s.ok() && (*s)[0] && (*s)[0]->state == TicketState::Assigned) hosts.push_back((*s)[0]->host);
  }
  return hosts;
}

}  // namespace

TEST(HostileRecords, AWrongTypedRegistryEntryIsSkippedCountedAndMatchesStillGoToTheRealServer) {
  RedisFixture fx;
  ASSERT_TRUE(fx.store.heartbeat_server(registry_entry("real"), 60000).ok());
  RedisFixture::server->command({"SET", "qbot:server:evil", "x"});
  plant_member("evil");
  auto live = fx.store.live_servers();
  ASSERT_TRUE(live.ok()) << live.error().message;
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].id, "real");
  EXPECT_EQ(rejected(fx.store, RecordKind::Registry), 1u);
  EXPECT_NE(fx.store.health().last_problem.find("qbot:server:evil"), std::string::npos)
      << fx.store.health().last_problem;

  queue_eight(fx.store, 1);
  EXPECT_EQ(servers_matched(fx.store, 1), std::vector<std::string>(8, "10.0.0.1"));
}

TEST(HostileRecords, PlausibleForgedRegistryEntriesGetNoMatch) {
  RedisFixture fx;
  ASSERT_TRUE(fx.store.heartbeat_server(registry_entry("real"), 60000).ok());
  // Every field a heartbeat writes, a huge capacity and a made-up tag.
  const std::string now = std::to_string(RedisFixture::clock_ms());
  RedisFixture::server->command({"HSET",         "qbot:server:forged",
                                 "id",           "forged",
                                 "host",         "127.0.0.1",
                                 "port",         "9",
                                 "region",       "eu",
                                 "capacity",     "4000000000",
                                 "players",      "0",
                                 "arenas",       "0",
                                 "version",      "0.1.0",
                                 "sent_ms",      now,
                                 "ttl_ms",       "60000",
                                 "mac",          std::string(64, 'a'),
                                 "heartbeat_ms", now});
  plant_member("forged");
  // A genuine heartbeat, but of a store with another fleet's key.
  ServerInfo stranger = registry_entry("stranger");
  stranger.host = "10.9.9.9";
  stranger.capacity = 1000;
  ASSERT_TRUE(redis_store_of(RedisFixture::server->url(), "another fleet")->heartbeat_server(stranger, 60000).ok());

  auto live = fx.store.live_servers();
  ASSERT_TRUE(live.ok()) << live.error().message;
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].id, "real");
  EXPECT_EQ(rejected(fx.store, RecordKind::Registry), 2u);

  queue_eight(fx.store, 1);
  EXPECT_EQ(servers_matched(fx.store, 1), std::vector<std::string>(8, "10.0.0.1"));
}

TEST(HostileRecords, EntriesFailingTheTagAreReportedApartForTheFleetKeyCheckButNeverMatched) {
  RedisFixture fx;
  ASSERT_TRUE(fx.store.heartbeat_server(registry_entry("real"), 60000).ok());
  // A genuine heartbeat of a server of another fleet key, and a forgery
  // claiming our fingerprint; both live by Redis's clock.
  ServerInfo stranger = registry_entry("stranger");
  stranger.host = "10.9.9.9";
  stranger.key_fingerprint = token::key_fingerprint(token::derive_key("another fleet"));
  ASSERT_TRUE(redis_store_of(RedisFixture::server->url(), "another fleet")->heartbeat_server(stranger, 60000).ok());
  const std::string now = std::to_string(RedisFixture::clock_ms());
  RedisFixture::server->command({"HSET",         "qbot:server:forged",
                                 "id",           "forged",
                                 "host",         "127.0.0.1",
                                 "port",         "9",
                                 "region",       "eu",
                                 "capacity",     "4000000000",
                                 "players",      "0",
                                 "arenas",       "0",
                                 "version",      "0.1.0",
                                 "key_fp",       registry_entry("real").key_fingerprint,
                                 "sent_ms",      now,
                                 "ttl_ms",       "60000",
                                 "mac",          std::string(64, 'a'),
                                 "heartbeat_ms", now});
  plant_member("forged");

  auto view = fx.store.registry_view();
  ASSERT_TRUE(view.ok()) << view.error().message;
  ASSERT_EQ(view->live.size(), 1u);
  EXPECT_EQ(view->live[0].id, "real");
  const std::vector<UnverifiedServer> expected{{"forged", registry_entry("real").key_fingerprint},
                                               {"stranger", stranger.key_fingerprint}};
  EXPECT_EQ(view->unverified, expected);
  EXPECT_EQ(rejected(fx.store, RecordKind::Registry), 2u);
  // The startup check of a server with our key refuses over both.
  const FleetKeyCheck check = check_fleet_keys(*view, "newcomer", registry_entry("real").key_fingerprint);
  EXPECT_EQ(check.others, 2u);
  EXPECT_EQ(check.unverified, 2u);
  EXPECT_TRUE(fleet_key_refusal(check, registry_entry("real").key_fingerprint, false));
  // The matchmaker never sees them.
  queue_eight(fx.store, 1);
  EXPECT_EQ(servers_matched(fx.store, 1), std::vector<std::string>(8, "10.0.0.1"));
}

TEST(HostileRecords, APlantedResultMarkerNeverRefusesTheResult) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  // One crude, one shaped like ours ({digest}:{tag}:{stream id}) but not signed.
  redis.command({"SET", "qbot:result:77", "applied"});
  redis.command({"SET", "qbot:result:78", std::string(64, 'b') + ":" + std::string(64, 'c') + ":1-0"});
  auto first = fx.store.submit_result(ffa_result(77, {1, 2}));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  auto second = fx.store.submit_result(ffa_result(78, {1, 2}));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(*second);
  EXPECT_EQ(redis.command({"XLEN", "qbot:results"}), "2");
  EXPECT_EQ(rejected(fx.store, RecordKind::Result), 2u);
  EXPECT_EQ(fx.store.rating(1)->matches, 2u);
  // The markers are ours now: a redelivery is a duplicate, nothing changes.
  EXPECT_FALSE(*fx.store.submit_result(ffa_result(77, {1, 2})));
  EXPECT_EQ(redis.command({"XLEN", "qbot:results"}), "2");
}

TEST(HostileRecords, ATicketWithoutItsQueueEntryIsPutBackInItsPlaceAndCounted) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  ASSERT_TRUE(fx.store.enqueue(ticket(1), kLongTtl).ok());
  RedisFixture::let_pass(2ms);
  ASSERT_TRUE(fx.store.enqueue(ticket(2), kLongTtl).ok());
  const std::string created = redis.command({"HGET", "qbot:ticket:1", "created"});
  redis.command({"ZREM", "qbot:queue:ffa:eu", RedisStore::queue_member(1)});

  auto polled = fx.store.poll_tickets(std::vector<AccountId>{1, 2}, kLongTtl);
  ASSERT_TRUE(polled.ok()) << polled.error().message;
  ASSERT_TRUE((*polled)[0].has_value());
  EXPECT_EQ((*polled)[0]->state, TicketState::Waiting);
  EXPECT_EQ((*polled)[0]->position, 0u);  // back at the front, where it waited
  EXPECT_EQ(fx.store.health().tickets_repaired, 1u);
  EXPECT_EQ(redis.command({"ZSCORE", "qbot:queue:ffa:eu", RedisStore::queue_member(1)}), created);
  EXPECT_EQ(accounts_of(*fx.store.waiting_tickets("ffa", "eu", 10)), (std::vector<AccountId>{1, 2}));

  // One that cannot be put back (no creation time) is deleted and counted:
  // its client hears it expired and queues again.
  redis.command({"HDEL", "qbot:ticket:2", "created"});
  redis.command({"ZREM", "qbot:queue:ffa:eu", RedisStore::queue_member(2)});
  polled = fx.store.poll_tickets(std::vector<AccountId>{2}, kLongTtl);
  ASSERT_TRUE(polled.ok());
  EXPECT_FALSE((*polled)[0].has_value());
  EXPECT_EQ(rejected(fx.store, RecordKind::Ticket), 1u);
  EXPECT_EQ(redis.command({"EXISTS", "qbot:ticket:2"}), "0");
}

TEST(HostileRecords, MatchIdsNeverRepeatAfterAnEmptyRestartOrAPlantedCounter) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  const MatchId before = *fx.store.reserve_match_ids(100);
  redis.flushall();  // what an empty restart leaves
  const MatchId after_wipe = *fx.store.reserve_match_ids(1);
  EXPECT_GT(after_wipe, before + 99);
  redis.command({"SET", "qbot:next_match_id", "1"});  // an old counter written back
  const MatchId after_rewind = *fx.store.reserve_match_ids(1);
  EXPECT_GT(after_rewind, after_wipe);
  redis.command({"SET", "qbot:next_match_id", "lots"});
  const MatchId after_garbage = *fx.store.reserve_match_ids(1);
  EXPECT_GT(after_garbage, after_rewind);
  EXPECT_EQ(rejected(fx.store, RecordKind::MatchIds), 1u);
  redis.command({"DEL", "qbot:next_match_id"});
  redis.command({"HSET", "qbot:next_match_id", "a", "b"});  // another type
  const auto after_hash = fx.store.reserve_match_ids(1);
  ASSERT_TRUE(after_hash.ok()) << after_hash.error().message;
  EXPECT_GT(*after_hash, after_garbage);
  EXPECT_EQ(rejected(fx.store, RecordKind::MatchIds), 2u);
}

}  // namespace qbot::test
