// The local result journal: one durable file per match, read back oldest
// first; broken files are set aside, never replayed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "results_fixture.h"
#include "server/results/result_delivery.h"
#include "server/store/result_codec.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::test;
namespace fs = std::filesystem;

class ResultJournalTest : public ResultsTest {};

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
  fs::resize_file(d / "1.result", 10);                                               // truncated
  std::ofstream(d / "3.result", std::ios::binary | std::ios::trunc) << "garbage";    // corrupt
  std::ofstream(d / "5.result", std::ios::binary) << good;                           // holds match 2
  std::ofstream(d / "x.result", std::ios::binary) << good;                           // not a match id
  std::ofstream(d / "6.result", std::ios::binary) << good + std::string(3000, 'x');  // far too long
  std::ofstream(d / "8.result.tmp", std::ios::binary) << "half";                     // a crash mid-save

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
