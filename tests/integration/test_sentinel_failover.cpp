// Redis failover under load, for real (sentinel_tests, label sentinel; run
// with ops/sentinel.sh): a primary, a replica and 3 sentinels on loopback,
// two qbot-servers that find the primary through the sentinels
// (--redis-sentinel, --redis-master, --redis-wait-replicas 1), 32
// qbot-headless bots queueing for 4 matches each; once a match has finished
// and its result is stored, SIGKILL of the primary. Every finished match's
// result must be in the new primary's stream exactly once, none refused or
// dropped, and matchmaking must be back within 10 s of the promotion.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <limits>
#include <map>

#include "process.h"
#include "redis_store_of.h"
#include "sentinel_cluster.h"
#include "server/store/redis_store.h"
#include "server_process.h"
#include "wait.h"

using namespace qbot::test;
using namespace qbot;
using namespace qbot::server;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSecret = "sentinel-test-fleet-secret";

std::vector<std::string> fleet_flags(const SentinelCluster& cluster, const std::string& id) {
  std::vector<std::string> f{"--redis-sentinel",       cluster.sentinel_list(),           "--redis-master",
                             SentinelCluster::kMaster, "--redis-wait-replicas",           "1",
                             "--journal-dir",          temp_dir("sentinel-journal-" + id)};
  const auto fleet = fast_fleet_flags(id, kSecret);
  f.insert(f.end(), fleet.begin(), fleet.end());
  return f;
}

/// A metric summed over both servers; NaN (equal to nothing, so every
/// check on it fails) if either does not answer or lacks the sample.
double both(ServerProcess& a, ServerProcess& b, const std::string& sample) {
  constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
  return a.metric(sample).value_or(kUnknown) + b.metric(sample).value_or(kUnknown);
}

double finished(ServerProcess& a, ServerProcess& b) { return both(a, b, "qbot_matches_finished_total"); }
double outcome(ServerProcess& a, ServerProcess& b, const std::string& what) {
  return both(a, b, "qbot_match_results_total{outcome=\"" + what + "\"}");
}

long long ms_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

}  // namespace

TEST(SentinelFailover, KillingThePrimaryUnderLoadLosesNoAcknowledgedResultAndMatchmakingResumesWithin10s) {
  SentinelCluster cluster;
  ServerProcess a(fleet_flags(cluster, "sentinel-a"), "sentinel-a");
  ServerProcess b(fleet_flags(cluster, "sentinel-b"), "sentinel-b");
  ASSERT_TRUE(eventually([&] { return both(a, b, "qbot_ready") == 2; }, 15s)) << a.process().log().substr(0, 3000);

  const std::string report = temp_dir("sentinel-report") + "/r.json";
  Process bots(QBOT_HEADLESS_BIN,
               {"--server", a.endpoint() + "," + b.endpoint(), "--bots", "32", "--queue", "ffa", "--matches", "4",
                "--duration", "240", "--report", report},
               temp_dir("sentinel-bots") + "/headless.log");

  // A quiet moment after a match: its result stored (applied, and WAIT saw
  // the replica take it) on the primary about to die.
  ASSERT_TRUE(eventually([&] { return finished(a, b) >= 1 && outcome(a, b, "applied") == finished(a, b); }, 120s, 5ms))
      << bots.log().substr(0, 3000);
  // What the primary holds now (at least the results applied so far): all
  // must survive the failover.
  auto acknowledged = redis_store_of(cluster.primary().url(), kSecret)->results(0, 10000);
  ASSERT_TRUE(acknowledged.ok()) << acknowledged.error().message;
  const auto killed = std::chrono::steady_clock::now();
  cluster.primary().kill();
  // After the kill: a match assigned just before it is already counted.
  const double matchmade_before = both(a, b, "qbot_matchmaker_matches_total");

  const std::uint16_t promoted_port = cluster.replica().port();
  ASSERT_TRUE(eventually([&] { return cluster.all_name(promoted_port); }, 30s, 20ms)) << cluster.logs();
  const auto promoted = std::chrono::steady_clock::now();
  // The killed node comes back, as its supervisor would restart it; the
  // sentinels make it a replica of the new primary, so WAIT 1 can succeed.
  cluster.primary().start();

  const bool resumed =
      eventually([&] { return both(a, b, "qbot_matchmaker_matches_total") > matchmade_before; }, 10s, 20ms);
  const auto resumed_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(resumed) << "no match was made within 10 s of the promotion\n" << a.process().log().substr(0, 4000);

  const auto bots_exit = bots.wait(300s);
  ASSERT_TRUE(bots_exit.has_value()) << "the bots did not finish";
  EXPECT_EQ(*bots_exit, 0) << bots.log().substr(0, 4000);
  EXPECT_EQ(json_number(read_text(report), "matches_played"), 128.0) << read_text(report);

  // Every result on its way (journal, then submit, maybe redelivery) has an
  // outcome, and none waits in a journal.
  const auto settled = [&] {
    const double outcomes = outcome(a, b, "applied") + outcome(a, b, "duplicate") + outcome(a, b, "dropped");
    return outcomes >= finished(a, b) && both(a, b, "qbot_results_journaled") == 0;
  };
  ASSERT_TRUE(eventually(settled, 30s)) << "results still on their way: journaled "
                                        << both(a, b, "qbot_results_journaled") << ", applied "
                                        << outcome(a, b, "applied") << " of " << finished(a, b);
  auto store = redis_store_of(cluster.replica().url(), kSecret);
  auto results = store->results(0, 10000);
  ASSERT_TRUE(results.ok()) << results.error().message;
  std::map<MatchId, int> per_match;
  for (const MatchResult& r : *results) per_match[r.match_id] += 1;
  for (const auto& [id, n] : per_match) EXPECT_EQ(n, 1) << "match " << id << " is in the stream " << n << " times";

  const double matches_finished = finished(a, b);
  EXPECT_EQ(static_cast<double>(results->size()), matches_finished);
  EXPECT_EQ(static_cast<double>(per_match.size()), matches_finished);
  EXPECT_EQ(outcome(a, b, "applied"), matches_finished);
  EXPECT_EQ(outcome(a, b, "duplicate"), 0);
  EXPECT_EQ(outcome(a, b, "dropped"), 0);
  for (const MatchResult& r : *acknowledged) {
    EXPECT_EQ(per_match.count(r.match_id), 1u) << "match " << r.match_id << ", acknowledged before the kill, is gone";
  }

  std::cout << "sentinel failover: promoted " << ms_between(killed, promoted) << " ms after the kill; matchmaking back "
            << ms_between(promoted, resumed_at) << " ms after the promotion; " << results->size() << " results in "
            << "the stream for " << matches_finished << " matches finished (" << acknowledged->size()
            << " stored before the kill); journaled on the way: " << outcome(a, b, "journaled") << "\n";
  RecordProperty("promotion_ms", static_cast<int>(ms_between(killed, promoted)));
  RecordProperty("resume_ms", static_cast<int>(ms_between(promoted, resumed_at)));
}
