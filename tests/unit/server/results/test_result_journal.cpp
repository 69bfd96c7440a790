// The local result journal and the delivery policy: a result the store
// cannot take now waits on disk and is delivered exactly once later.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "process.h"
#include "server/store/result_codec.h"
#include "server/results/result_journal.h"
#include "store_fixtures.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

class ResultJournalTest : public ::testing::Test {
 protected:
  ~ResultJournalTest() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string dir = temp_dir("journal");
  ResultJournal journal{fs::path(dir) / "results"};
  MemoryFixture memory;
};

std::vector<MatchId> ids(const std::vector<MatchResult>& rs) {
  std::vector<MatchId> out;
  for (const auto& r : rs) out.push_back(r.match_id);
  return out;
}

MatchResult ended_at(MatchId id, std::uint64_t ended_ms) {
  MatchResult r = ffa_result(id, {id, id + 100});
  r.ended_ms = ended_ms;
  return r;
}

}  // namespace

TEST_F(ResultJournalTest, SavedResultsSurviveANewJournalOldestFirst) {
  ASSERT_TRUE(journal.save(ended_at(30, 5000)).ok());
  ASSERT_TRUE(journal.save(ended_at(12, 7000)).ok());
  ASSERT_TRUE(journal.save(ended_at(7, 5000)).ok());
  ResultJournal reopened(journal.dir());  // as after a server restart
  const auto pending = reopened.pending();
  EXPECT_EQ(ids(pending), (std::vector<MatchId>{7, 30, 12}));  // by end time, then match id
  EXPECT_EQ(pending[1], ended_at(30, 5000));
  // One file per match, named by its id; no temp file left behind.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(journal.dir())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"12.result", "30.result", "7.result"}));
}

TEST_F(ResultJournalTest, SavingAMatchAgainReplacesItsFile) {
  ASSERT_TRUE(journal.save(ended_at(3, 100)).ok());
  ASSERT_TRUE(journal.save(ended_at(3, 200)).ok());
  const auto pending = journal.pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].ended_ms, 200u);
}

TEST_F(ResultJournalTest, RemoveDeletesOneFile) {
  ASSERT_TRUE(journal.save(ended_at(3, 100)).ok());
  ASSERT_TRUE(journal.save(ended_at(4, 100)).ok());
  EXPECT_TRUE(journal.remove(3));
  EXPECT_FALSE(journal.remove(3));
  EXPECT_EQ(ids(journal.pending()), (std::vector<MatchId>{4}));
}

TEST_F(ResultJournalTest, NothingSavedIsNothingPending) {
  EXPECT_TRUE(journal.pending().empty());  // the directory does not even exist yet
  EXPECT_FALSE(fs::exists(journal.dir()));
}

TEST_F(ResultJournalTest, InvalidResultIsNotSaved) {
  auto saved = journal.save(ffa_result(0, {1, 2}));
  ASSERT_FALSE(saved.ok());
  EXPECT_NE(saved.error().find("match id 0"), std::string::npos) << saved.error();
  EXPECT_TRUE(journal.pending().empty());
}

TEST_F(ResultJournalTest, BrokenFilesAreSetAsideAndTheOthersDelivered) {
  for (MatchId id : {1, 2, 3, 4}) ASSERT_TRUE(journal.save(ended_at(id, 100 + id)).ok());
  const fs::path d = journal.dir();
  const std::string good = encode_result(ended_at(2, 102));
  fs::resize_file(d / "1.result", 10);                                            // truncated
  std::ofstream(d / "3.result", std::ios::binary | std::ios::trunc) << "garbage";  // corrupt
  std::ofstream(d / "5.result", std::ios::binary) << good;                         // holds match 2
  std::ofstream(d / "x.result", std::ios::binary) << good;                         // not a match id
  std::ofstream(d / "6.result", std::ios::binary) << good + std::string(3000, 'x');  // far too long
  std::ofstream(d / "8.result.tmp", std::ios::binary) << "half";                   // a crash mid-save

  const auto pending = journal.pending();
  EXPECT_EQ(ids(pending), (std::vector<MatchId>{2, 4}));
  EXPECT_EQ(journal.bad_files(), 5u);
  for (const char* name : {"1.result.bad", "3.result.bad", "5.result.bad", "x.result.bad", "6.result.bad"}) {
    EXPECT_TRUE(fs::exists(d / name)) << name;
  }

  const DeliveryCounts counts = redeliver_journaled(memory.store, journal);
  EXPECT_EQ(counts.applied, 2u);
  EXPECT_EQ(counts.remaining, 0u);
  EXPECT_EQ(ids(*memory.store.results(0, 10)), (std::vector<MatchId>{2, 4}));
  EXPECT_TRUE(journal.pending().empty());
  EXPECT_EQ(journal.bad_files(), 5u);  // set aside once, not again on every pass
}

TEST_F(ResultJournalTest, DeliverAppliesOrReportsADuplicateWithoutJournaling) {
  const MatchResult result = ended_at(9, 100);
  EXPECT_EQ(deliver_result(memory.store, journal, result), (DeliveryCounts{.applied = 1}));
  EXPECT_EQ(deliver_result(memory.store, journal, result), (DeliveryCounts{.duplicates = 1}));
  EXPECT_TRUE(journal.pending().empty());
}

TEST_F(ResultJournalTest, InvalidResultIsDroppedNotJournaled) {
  EXPECT_EQ(deliver_result(memory.store, journal, ffa_result(9, {1, 1})), (DeliveryCounts{.refused = 1}));
  EXPECT_TRUE(journal.pending().empty());
  EXPECT_TRUE(memory.store.results(0, 10)->empty());
}

TEST_F(ResultJournalTest, RedeliveryAppliesInTheOrderMatchesEnded) {
  // Ratings depend on order: the journal replays matches as they ended.
  for (auto [id, ended] : {std::pair<MatchId, std::uint64_t>{5, 300}, {6, 100}, {7, 200}}) {
    ASSERT_TRUE(journal.save(ended_at(id, ended)).ok());
  }
  EXPECT_EQ(redeliver_journaled(memory.store, journal), (DeliveryCounts{.applied = 3}));
  EXPECT_EQ(ids(*memory.store.results(0, 10)), (std::vector<MatchId>{6, 7, 5}));
}

// ---- With a real redis-server that goes away and comes back ----------------

class ResultJournalRedisTest : public ResultJournalTest {
 protected:
  RedisServer redis;
  RedisStore store{*parse_redis_url(redis.url()), "qbot:", 500ms};
};

TEST_F(ResultJournalRedisTest, ResultOfAMatchEndingWhileRedisIsDownIsDeliveredOnceWhenItReturns) {
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

TEST_F(ResultJournalRedisTest, AResultRedisAlreadyHasIsRemovedFromTheJournal) {
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
