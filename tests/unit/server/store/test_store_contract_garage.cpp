// Garage contract: both stores number bots per account without ever reusing
// an id, enforce the garage limit, and keep stats across updates. Redis-only
// tests at the end: stats from the results hash, hostile entries.
#include <gtest/gtest.h>

#include "server/lobby/lobby.h"
#include "server/store/record_codec.h"
#include "store_fixtures.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::test;

namespace {

BotRecord bot(const std::string& name, std::uint32_t paint = 7) {
  BotRecord b;
  b.loadout.name = name;
  b.loadout.chassis = "scout";
  b.loadout.primary = "blaster";
  b.loadout.secondary = "mine";
  b.loadout.module = "boost";
  b.loadout.paint = paint;
  return b;
}

std::vector<std::uint32_t> ids(const std::vector<BotRecord>& bots) {
  std::vector<std::uint32_t> out;
  for (const auto& b : bots) out.push_back(b.id);
  return out;
}

template <class T>
StoreError::Kind kind_of(const StoreResult<T>& r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? StoreError::Kind::Io : r.error().kind;
}

template <class F>
class StoreContractGarage : public StoreContract<F> {};
TYPED_TEST_SUITE(StoreContractGarage, Stores);

}  // namespace

TYPED_TEST(StoreContractGarage, CreateNumbersBotsPerAccountWithZeroStats) {
  auto& store = this->fx.store;
  BotRecord with_stats = bot("alpha");
  with_stats.id = 99;
  with_stats.stats.wins = 5;  // ignored: only results count
  auto a = store.create_bot(42, with_stats, 8);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->id, 1u);
  EXPECT_EQ(a->stats, BotStats{});
  EXPECT_EQ(a->loadout, with_stats.loadout);
  EXPECT_EQ(store.create_bot(42, bot("beta"), 8)->id, 2u);
  EXPECT_EQ(store.create_bot(7, bot("other"), 8)->id, 1u);  // ids are per account

  auto list = store.list_bots(42);
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(ids(*list), (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ((*list)[0], *a);
  EXPECT_EQ((*list)[1].loadout.name, "beta");
  EXPECT_EQ(ids(*store.list_bots(7)), (std::vector<std::uint32_t>{1}));
  EXPECT_TRUE(store.list_bots(12345)->empty());
}

TYPED_TEST(StoreContractGarage, IdsAreNeverReusedAfterDelete) {
  auto& store = this->fx.store;
  for (const char* name : {"a", "b", "c"}) ASSERT_TRUE(store.create_bot(5, bot(name), 8).ok());
  ASSERT_TRUE(store.delete_bot(5, 3).ok());  // the newest: a counter from the max would reuse 3
  ASSERT_TRUE(store.delete_bot(5, 1).ok());
  EXPECT_EQ(store.create_bot(5, bot("d"), 8)->id, 4u);
  EXPECT_EQ(ids(*store.list_bots(5)), (std::vector<std::uint32_t>{2, 4}));
  ASSERT_TRUE(store.delete_bot(5, 2).ok());
  ASSERT_TRUE(store.delete_bot(5, 4).ok());
  EXPECT_TRUE(store.list_bots(5)->empty());
  EXPECT_EQ(store.create_bot(5, bot("e"), 8)->id, 5u);  // an emptied garage keeps counting
}

TYPED_TEST(StoreContractGarage, LimitCountsTheBotsThatExist) {
  auto& store = this->fx.store;
  ASSERT_TRUE(store.create_bot(9, bot("a"), 2).ok());
  ASSERT_TRUE(store.create_bot(9, bot("b"), 2).ok());
  EXPECT_EQ(kind_of(store.create_bot(9, bot("c"), 2)), StoreError::Kind::Limit);
  EXPECT_EQ(store.list_bots(9)->size(), 2u);  // the refused bot was not stored
  ASSERT_TRUE(store.delete_bot(9, 1).ok());
  EXPECT_EQ(store.create_bot(9, bot("c"), 2)->id, 3u);
  EXPECT_EQ(kind_of(store.create_bot(10, bot("z"), 0)), StoreError::Kind::Limit);
}

TYPED_TEST(StoreContractGarage, UpdateReplacesTheLooksOnly) {
  auto& store = this->fx.store;
  ASSERT_TRUE(store.create_bot(3, bot("old", 1), 8).ok());
  ASSERT_TRUE(store.create_bot(3, bot("keep", 2), 8).ok());
  BotRecord change = bot("new", 0xFF00FF);
  change.id = 1;
  change.loadout.primary = "railgun";
  change.stats.kills = 50;  // ignored
  auto updated = store.update_bot(3, change);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated->id, 1u);
  EXPECT_EQ(updated->loadout, change.loadout);
  EXPECT_EQ(updated->stats, BotStats{});
  auto list = store.list_bots(3);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0], *updated);
  EXPECT_EQ((*list)[1].loadout.name, "keep");
}

TYPED_TEST(StoreContractGarage, MissingBotsAreNotFound) {
  auto& store = this->fx.store;
  ASSERT_TRUE(store.create_bot(3, bot("mine"), 8).ok());
  BotRecord ghost = bot("ghost");
  ghost.id = 2;
  EXPECT_EQ(kind_of(store.update_bot(3, ghost)), StoreError::Kind::NotFound);
  ghost.id = 1;
  EXPECT_EQ(kind_of(store.update_bot(4, ghost)), StoreError::Kind::NotFound);  // another account's bot 1
  EXPECT_EQ(kind_of(store.delete_bot(4, 1)), StoreError::Kind::NotFound);
  EXPECT_EQ(kind_of(store.delete_bot(3, 2)), StoreError::Kind::NotFound);
  ASSERT_TRUE(store.delete_bot(3, 1).ok());
  EXPECT_EQ(kind_of(store.delete_bot(3, 1)), StoreError::Kind::NotFound);
  EXPECT_EQ(kind_of(store.update_bot(3, ghost)), StoreError::Kind::NotFound);
  EXPECT_TRUE(store.list_bots(3)->empty());  // a failed update does not recreate it
}

TYPED_TEST(StoreContractGarage, InvalidArgumentsAreRefused) {
  auto& store = this->fx.store;
  using K = StoreError::Kind;
  EXPECT_EQ(kind_of(store.create_bot(0, bot("a"), 8)), K::Invalid);
  EXPECT_EQ(kind_of(store.list_bots(0)), K::Invalid);
  EXPECT_EQ(kind_of(store.create_bot(1, bot(std::string(qbot::sim::kMaxBotNameBytes + 1, 'x')), 8)), K::Invalid);
  BotRecord long_part = bot("a");
  long_part.loadout.chassis = std::string(kMaxPartIdBytes + 1, 'c');
  EXPECT_EQ(kind_of(store.create_bot(1, long_part, 8)), K::Invalid);
  ASSERT_TRUE(store.create_bot(1, bot(std::string(qbot::sim::kMaxBotNameBytes, 'x')), 8).ok());
  BotRecord zero = bot("a");
  zero.id = 0;
  EXPECT_EQ(kind_of(store.update_bot(1, zero)), K::Invalid);
  EXPECT_EQ(kind_of(store.delete_bot(1, 0)), K::Invalid);
  EXPECT_EQ(kind_of(store.delete_bot(0, 1)), K::Invalid);
  EXPECT_EQ(store.list_bots(1)->size(), 1u);
}

// ---- Redis only -------------------------------------------------------------

TEST(RedisStoreGarage, StatsComeFromTheResultsHashAndLeaveWithTheBot) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  ASSERT_TRUE(fx.store.create_bot(5, bot("a"), 8).ok());
  ASSERT_TRUE(fx.store.create_bot(5, bot("b"), 8).ok());
  EXPECT_EQ(redis.command({"HGET", "qbot:garage:5", "next_id"}), "2");
  // What results write (docs/REDIS.md "Results and ratings").
  redis.command(
      {"HSET", "qbot:botstats:5", "1:matches", "4", "1:wins", "1", "1:kills", "9", "1:deaths", "3", "2:matches", "1"});
  auto list = fx.store.list_bots(5);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)[0].stats, (BotStats{4, 1, 9, 3}));
  EXPECT_EQ((*list)[1].stats, (BotStats{1, 0, 0, 0}));

  BotRecord change = bot("renamed");
  change.id = 1;
  auto updated = fx.store.update_bot(5, change);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->stats, (BotStats{4, 1, 9, 3}));
  EXPECT_EQ(fx.store.list_bots(5)->at(0).stats, (BotStats{4, 1, 9, 3}));

  ASSERT_TRUE(fx.store.delete_bot(5, 1).ok());
  EXPECT_EQ(redis.command({"HEXISTS", "qbot:botstats:5", "1:kills"}), "0");
  EXPECT_EQ(redis.command({"HGET", "qbot:botstats:5", "2:matches"}), "1");
  EXPECT_EQ(fx.store.malformed_entries(), 0u);
}

TEST(RedisStoreGarage, HostileEntriesAreSkippedAndCounted) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  ASSERT_TRUE(fx.store.create_bot(5, bot("good"), 8).ok());
  const std::string valid = encode_bot(bot("evil"));
  redis.command({"HSET", "qbot:garage:5", "abc", valid});               // not an id
  redis.command({"HSET", "qbot:garage:5", "01", valid});                // an alias of bot 1
  redis.command({"HSET", "qbot:garage:5", "0", valid});                 // id 0
  redis.command({"HSET", "qbot:garage:5", "7", "garbage"});             // not a bot
  redis.command({"HSET", "qbot:garage:5", "8", valid + "x"});           // trailing byte
  redis.command({"HSET", "qbot:botstats:5", "1:wins", "lots"});         // not a count
  redis.command({"HSET", "qbot:botstats:5", "1:kills", "4294967296"});  // too big
  auto list = fx.store.list_bots(5);
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].loadout.name, "good");
  EXPECT_EQ((*list)[0].stats, BotStats{});
  // Five bad garage fields, and the botstats hash (two bad counters) once.
  EXPECT_EQ(fx.store.malformed_entries(), 6u);
}

TEST(RedisStoreGarage, CorruptCounterIsAnErrorNotACrash) {
  RedisFixture fx;
  RedisFixture::server->command({"HSET", "qbot:garage:5", "next_id", "not-a-number"});
  EXPECT_FALSE(fx.store.create_bot(5, bot("a"), 8).ok());
  RedisFixture::server->command({"SET", "qbot:garage:6", "a string, not a hash"});
  EXPECT_FALSE(fx.store.create_bot(6, bot("a"), 8).ok());
  auto listed = fx.store.list_bots(6);
  ASSERT_FALSE(listed.ok());
  // Redis's error is the store's state, not the request's fault: the player
  // is told "unavailable", not that the loadout was wrong.
  EXPECT_EQ(listed.error().kind, StoreError::Kind::Io) << listed.error().message;
  EXPECT_NE(listed.error().message.find("WRONGTYPE"), std::string::npos) << listed.error().message;
  EXPECT_EQ(garage_status(listed.error()), qbot::proto::GarageStatus::Unavailable);
}
