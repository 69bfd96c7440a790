#pragma once
// What the results tests share: a journal in a fresh temp directory (removed
// afterwards) beside a MemoryStore on virtual time, and results by end time.
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "process.h"
#include "server/results/result_journal.h"
#include "store_fixtures.h"

namespace qbot::test {

class ResultsTest : public ::testing::Test {
 protected:
  ~ResultsTest() override {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string dir = temp_dir("journal");
  ResultJournal journal{std::filesystem::path(dir) / "results"};
  MemoryFixture memory;
};

inline std::vector<MatchId> ids(const std::vector<MatchResult>& rs) {
  std::vector<MatchId> out;
  for (const auto& r : rs) out.push_back(r.match_id);
  return out;
}

/// A two-player result of match `id` that ended at `ended_ms`.
inline MatchResult ended_at(MatchId id, std::uint64_t ended_ms) {
  MatchResult r = ffa_result(id, {id, id + 100});
  r.ended_ms = ended_ms;
  return r;
}

}  // namespace qbot::test
