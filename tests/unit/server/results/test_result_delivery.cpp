// The delivery policy: a result the store cannot take now waits in the
// journal and is delivered exactly once later, in the order matches ended.
#include <gtest/gtest.h>

#include "results_fixture.h"
#include "server/results/result_delivery.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::test;
using namespace std::chrono_literals;

class ResultDeliveryTest : public ResultsTest {};

TEST_F(ResultDeliveryTest, DeliverAppliesOrReportsADuplicateWithoutJournaling) {
  const MatchResult result = ended_at(9, 100);
  EXPECT_EQ(deliver_result(memory.store, journal, result), (DeliveryCounts{.applied = 1}));
  EXPECT_EQ(deliver_result(memory.store, journal, result), (DeliveryCounts{.duplicates = 1}));
  EXPECT_TRUE(journal.pending().empty());
}

TEST_F(ResultDeliveryTest, InvalidResultIsDroppedNotJournaled) {
  EXPECT_EQ(deliver_result(memory.store, journal, ffa_result(9, {1, 1})), (DeliveryCounts{.refused = 1}));
  EXPECT_TRUE(journal.pending().empty());
  EXPECT_TRUE(memory.store.results(0, 10)->empty());
}

TEST_F(ResultDeliveryTest, RedeliveryAppliesInTheOrderMatchesEnded) {
  // Ratings depend on order: the journal replays matches as they ended.
  for (auto [id, ended] : {std::pair<MatchId, std::uint64_t>{5, 300}, {6, 100}, {7, 200}}) {
    ASSERT_TRUE(journal.save(ended_at(id, ended)).ok());
  }
  EXPECT_EQ(redeliver_journaled(memory.store, journal), (DeliveryCounts{.applied = 3}));
  EXPECT_EQ(ids(*memory.store.results(0, 10)), (std::vector<MatchId>{6, 7, 5}));
}

// ---- With a real redis-server that goes away and comes back ----------------

class ResultDeliveryRedisTest : public ResultsTest {
 protected:
  RedisServer redis;
  std::unique_ptr<RedisStore> owned = redis_store_of(redis.url(), kUnitFleetSecret, 500ms);
  RedisStore& store = *owned;
};

TEST_F(ResultDeliveryRedisTest, ResultOfAMatchEndingWhileRedisIsDownIsDeliveredOnceWhenItReturns) {
  // Before the outage: delivered directly (and the submit script loaded).
  EXPECT_EQ(deliver_result(store, journal, ended_at(1, 100)), (DeliveryCounts{.applied = 1}));
  redis.stop();

  EXPECT_EQ(deliver_result(store, journal, ended_at(2, 200)), (DeliveryCounts{.journaled = 1}));
  EXPECT_EQ(deliver_result(store, journal, ended_at(3, 300)), (DeliveryCounts{.journaled = 1}));
  // Still down: redelivery stops at once and keeps every file.
  EXPECT_EQ(redeliver_journaled(store, journal), (DeliveryCounts{.remaining = 2}));
  EXPECT_EQ(ids(journal.pending()), (std::vector<MatchId>{2, 3}));

  redis.start();  // empty: no persistence, and the script must be loaded again
  EXPECT_EQ(redeliver_journaled(store, journal), (DeliveryCounts{.applied = 2}));
  EXPECT_TRUE(journal.pending().empty());
  EXPECT_EQ(redis.command({"XLEN", "qbot:results"}), "2");
  EXPECT_EQ(ids(*store.results(0, 10)), (std::vector<MatchId>{2, 3}));
  // Nothing left to do, nothing done twice.
  EXPECT_EQ(redeliver_journaled(store, journal), DeliveryCounts{});
  EXPECT_EQ(redis.command({"XLEN", "qbot:results"}), "2");
  EXPECT_EQ(store.rating(3)->matches, 1u);
}

TEST_F(ResultDeliveryRedisTest, AResultRedisAlreadyHasIsRemovedFromTheJournal) {
  // The submit reached Redis but its reply did not come back: the server
  // journaled a result that was in fact applied.
  const MatchResult result = ended_at(4, 100);
  ASSERT_TRUE(*store.submit_result(result));
  ASSERT_TRUE(journal.save(result).ok());
  EXPECT_EQ(redeliver_journaled(store, journal), (DeliveryCounts{.duplicates = 1}));
  EXPECT_TRUE(journal.pending().empty());
  EXPECT_EQ(redis.command({"XLEN", "qbot:results"}), "1");
  EXPECT_EQ(store.rating(4)->matches, 1u);
}
