// Redis outages against a real fleet: one redis-server (AOF on), two
// qbot-server processes with their own --journal-dir, and qbot-headless bots
// queueing through both front doors. Each scenario checks that every match
// that finished has its result in the results stream exactly once (counted
// against qbot_matches_finished_total of both servers), that no result was
// refused, and that matchmaking resumes within 5 s of Redis returning.
//
// VanishedBot.* runs in the default suite; Outage.* (about 1.5 min each) runs
// with ops/outage.sh, or in ctest with -DQBOT_OUTAGE_TESTS=ON (label outage).
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "redis_server.h"
#include "redis_store_of.h"
#include "server/store/redis_store.h"
#include "server_process.h"
#include "wait.h"

using namespace qbot::test;
using namespace qbot;
using namespace qbot::server;
using namespace std::chrono_literals;

namespace {

const std::string kSecret = "outage-test-fleet-secret";
using SteadyClock = std::chrono::steady_clock;

std::vector<std::string> server_flags(const RedisServer& redis, const std::string& id, const std::string& journal) {
  std::vector<std::string> f{"--redis", redis.url(), "--journal-dir", journal};
  const auto fleet = fast_fleet_flags(id, kSecret);
  f.insert(f.end(), fleet.begin(), fleet.end());
  return f;
}

double metric_or_zero(const ServerProcess& s, const std::string& sample) { return s.metric(sample).value_or(0); }

/// Two servers, one Redis, and a headless fleet queueing through both.
class OutageFleet {
 public:
  explicit OutageFleet(const std::string& tag)
      : tag_(tag),
        redis_(RedisServer::Options{true, {}}),
        journal_a_(temp_dir(tag + "-journal-a")),
        journal_b_(temp_dir(tag + "-journal-b")) {
    a_ = std::make_unique<ServerProcess>(server_flags(redis_, tag + "-a", journal_a_), tag + "-a");
    b_ = std::make_unique<ServerProcess>(server_flags(redis_, tag + "-b", journal_b_), tag + "-b");
    store_ = redis_store_of(redis_.url(), kSecret);
  }

  RedisServer& redis() { return redis_; }
  ServerProcess& server(int i) { return i == 0 ? *a_ : *b_; }
  RedisStore& store() { return *store_; }

  /// Starts `bots` bots that each play `matches` matchmade matches.
  void start_bots(int bots, int matches, int duration_s) {
    report_ = temp_dir(tag_ + "-report") + "/r.json";
    bots_ = std::make_unique<Process>(QBOT_HEADLESS_BIN,
                                      std::vector<std::string>{"--server", a_->endpoint() + "," + b_->endpoint(),
                                                               "--bots", std::to_string(bots), "--queue", "ffa",
                                                               "--matches", std::to_string(matches), "--duration",
                                                               std::to_string(duration_s), "--report", report_},
                                      temp_dir(tag_ + "-bots") + "/headless.log");
  }
  /// Waits for the headless run to end; its exit code (nullopt: still running).
  std::optional<int> wait_bots(std::chrono::milliseconds timeout) { return bots_->wait(timeout); }
  std::string bots_log() const { return bots_->log(); }
  std::string report() const { return read_text(report_); }

  /// Sum of one sample over both servers, plus what killed servers had counted.
  double total(const std::string& sample) const {
    double sum = metric_or_zero(*a_, sample) + metric_or_zero(*b_, sample);
    const auto it = counted_by_killed_.find(sample);
    return it == counted_by_killed_.end() ? sum : sum + it->second;
  }
  double finished() const { return total("qbot_matches_finished_total"); }

  /// SIGKILL of server `i`, keeping what its counters said just before.
  void kill_server(int i) {
    ServerProcess& s = server(i);
    for (const char* sample : kCarried) counted_by_killed_[sample] += metric_or_zero(s, sample);
    s.process().signal(SIGKILL);
    s.process().wait(10s);
    killed_[static_cast<std::size_t>(i)] = true;
  }
  /// Every server not killed answers /metrics (an empty scrape: it does not).
  bool serving() const { return (killed_[0] || !a_->scrape().empty()) && (killed_[1] || !b_->scrape().empty()); }
  /// Match ids of the results saved in server `i`'s --journal-dir
  /// (`{match_id}.result`; temp and set-aside files are not results waiting
  /// for the store).
  std::set<MatchId> journaled_ids(int i) const {
    std::set<MatchId> ids;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(i == 0 ? journal_a_ : journal_b_, ec)) {
      if (entry.path().extension() == ".result") ids.insert(std::stoull(entry.path().stem().string()));
    }
    return ids;
  }
  /// Starts server `i` again on its port with the same --journal-dir.
  void restart_server(int i) {
    auto& slot = i == 0 ? a_ : b_;
    const std::uint16_t port = slot->port();
    const std::string id = tag_ + (i == 0 ? "-a" : "-b");
    slot.reset();
    slot = std::make_unique<ServerProcess>(server_flags(redis_, id, i == 0 ? journal_a_ : journal_b_), id + "-again",
                                           port);
    killed_[static_cast<std::size_t>(i)] = false;
  }

  /// Match ids of every result in the stream now (throws nothing; empty on error).
  std::vector<MatchId> result_ids() {
    std::vector<MatchId> ids;
    auto results = store_->results(0, 100000);
    if (!results.ok()) return ids;
    for (const MatchResult& r : *results) ids.push_back(r.match_id);
    return ids;
  }

  static constexpr const char* kCarried[] = {"qbot_matches_finished_total", "qbot_matchmaker_matches_total",
                                             "qbot_match_results_total{outcome=\"duplicate\"}",
                                             "qbot_match_results_total{outcome=\"dropped\"}"};

 private:
  std::string tag_;
  RedisServer redis_;
  std::string journal_a_, journal_b_;
  std::unique_ptr<ServerProcess> a_, b_;
  std::unique_ptr<RedisStore> store_;
  std::unique_ptr<Process> bots_;
  std::string report_;
  std::map<std::string, double> counted_by_killed_;
  std::array<bool, 2> killed_{false, false};
};

/// Until matches are being played and bots wait in the queues: the moment an
/// outage hurts most (results in flight, tickets waiting).
void wait_for_busy_fleet(OutageFleet& fleet) {
  ASSERT_TRUE(eventually([&] { return fleet.finished() >= 1; }, 90s, 100ms)) << fleet.bots_log();
  ASSERT_TRUE(eventually([&] { return fleet.total("qbot_queued_players") >= 4; }, 60s, 20ms));
}

/// True if `now` holds an id that `before` does not (a file that went away
/// since is a delivery that completed, not a new result).
bool has_new_id(const std::set<MatchId>& now, const std::set<MatchId>& before) {
  return std::any_of(now.begin(), now.end(), [&](MatchId id) { return before.count(id) == 0; });
}

/// Until a match starts somewhere (the fleet's qbot_players, the players in
/// arenas, rises between two looks). An outage injected now and longer than
/// a match (10 s) is sure to catch that match's result in flight.
void wait_for_match_start(OutageFleet& fleet) {
  double before = fleet.total("qbot_players");
  ASSERT_TRUE(eventually(
      [&] {
        const double now = fleet.total("qbot_players");
        const bool rose = now > before;
        before = now;
        return rose;
      },
      60s, 20ms))
      << "no match started";
}

/// The outage itself: Redis stays down until `end`. Its fixed length is the
/// fault being injected, not a wait for an event. Meanwhile every server
/// still running must keep answering /metrics (a stalled store must never
/// stall a server): looked at every 100 ms, and a look it does not answer
/// fails the test. Returns the most results seen waiting in the journals
/// at once.
double hold_outage(OutageFleet& fleet, SteadyClock::time_point end) {
  double peak_journaled = 0;
  int unanswered = 0;
  const auto length = std::chrono::duration_cast<std::chrono::milliseconds>(end - SteadyClock::now());
  eventually(
      [&] {
        if (!fleet.serving()) unanswered += 1;
        peak_journaled = std::max(peak_journaled, fleet.total("qbot_results_journaled"));
        return SteadyClock::now() >= end;
      },
      length + 1s, 100ms);
  EXPECT_EQ(unanswered, 0) << "a server did not answer /metrics while Redis was down";
  return peak_journaled;
}

/// Milliseconds from now until a matchmaker forms a new match (-1: none within 30 s).
long long measure_resume(OutageFleet& fleet) {
  const auto back = SteadyClock::now();
  const double before = fleet.total("qbot_matchmaker_matches_total");
  if (!eventually([&] { return fleet.total("qbot_matchmaker_matches_total") > before; }, 30s, 20ms)) return -1;
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - back).count();
}

/// The accounting every scenario ends with. `before_wipe` holds the results
/// the stream had when Redis lost its data (empty restart; else empty).
void expect_every_result_once(OutageFleet& fleet, const std::vector<MatchId>& before_wipe, long long resume_ms,
                              const std::string& scenario) {
  const auto exit_code = fleet.wait_bots(240s);
  ASSERT_TRUE(exit_code.has_value()) << "the headless run did not end";
  // The journals drain every 5 s: wait until the stream holds every finished match.
  const auto counted = [&] { return before_wipe.size() + fleet.result_ids().size(); };
  const bool drained = eventually(
      [&] { return static_cast<double>(counted()) >= fleet.finished() && fleet.total("qbot_results_journaled") == 0; },
      30s, 100ms);
  const std::vector<MatchId> after = fleet.result_ids();
  std::set<MatchId> unique(before_wipe.begin(), before_wipe.end());
  for (const MatchId id : after) EXPECT_TRUE(unique.insert(id).second) << "match " << id << " twice in the stream";
  const double finished = fleet.finished();
  const double duplicates = fleet.total("qbot_match_results_total{outcome=\"duplicate\"}");
  const double dropped = fleet.total("qbot_match_results_total{outcome=\"dropped\"}");
  std::cout << scenario << ": " << before_wipe.size() + after.size() << " results counted (" << unique.size()
            << " distinct) vs " << finished << " matches finished; " << duplicates << " duplicate, " << dropped
            << " dropped; matchmaking resumed " << resume_ms << " ms after Redis returned; bots exit " << *exit_code
            << "\n";
  ::testing::Test::RecordProperty("results_counted", static_cast<int>(before_wipe.size() + after.size()));
  ::testing::Test::RecordProperty("matches_finished", static_cast<int>(finished));
  ::testing::Test::RecordProperty("resume_ms", static_cast<int>(resume_ms));
  EXPECT_TRUE(drained) << "journals not drained, or results missing";
  EXPECT_EQ(static_cast<double>(before_wipe.size() + after.size()), finished);
  EXPECT_EQ(unique.size(), before_wipe.size() + after.size());
  // "duplicate" is a redelivery of a result the store already holds with the
  // same content (its first answer was lost in the outage): a confirmation.
  // A result refused (another result under its id, or invalid) or lost is
  // "dropped", and none may be.
  EXPECT_EQ(dropped, 0.0);
  EXPECT_GE(resume_ms, 0) << "matchmaking never resumed";
  EXPECT_LE(resume_ms, 5000);
}

constexpr int kBots = 32;
constexpr int kMatches = 4;

}  // namespace

// Redis restarted empty while bots queue (FLUSHALL: every garage, ticket and
// queue is gone): the lobby refuses the vanished bot ids, the bots build
// their bots again and every bot plays all of its matches.
TEST(VanishedBot, BotsWhoseGarageWasWipedBuildTheirBotAgainAndPlayOn) {
  OutageFleet fleet("vanished");
  constexpr int kFew = 16;
  // 3 matches each: when the first match has finished, every bot still has
  // a match to queue for after the wipe (with 2, the last queued bots could
  // be matched before it and never meet the refusal).
  constexpr int kEach = 3;
  fleet.start_bots(kFew, kEach, 150);
  ASSERT_NO_FATAL_FAILURE(wait_for_busy_fleet(fleet));
  fleet.redis().flushall();
  const auto exit_code = fleet.wait_bots(180s);
  ASSERT_TRUE(exit_code.has_value()) << "the headless run did not end";
  EXPECT_EQ(*exit_code, 0) << fleet.bots_log();
  const std::string json = fleet.report();
  EXPECT_EQ(json_number(json, "matches_played"), kFew * kEach) << json;
  EXPECT_GE(json_number(json, "bots_recreated").value_or(0), 1.0) << json;
  EXPECT_GE(json_number(json, "queue_refusals").value_or(0), json_number(json, "bots_recreated").value_or(0))
      << "a bot is built again only after a refusal";
  // The rebuilt bots are in the garages of the new Redis.
  EXPECT_FALSE(fleet.redis().keys("qbot:garage:*").empty());
}

TEST(Outage, RedisStoppedThirtySecondsLosesNoResult) {
  OutageFleet fleet("stop");
  fleet.start_bots(kBots, kMatches, 150);
  ASSERT_NO_FATAL_FAILURE(wait_for_busy_fleet(fleet));
  ASSERT_NO_FATAL_FAILURE(wait_for_match_start(fleet));
  fleet.redis().freeze();
  const double peak_journaled = hold_outage(fleet, SteadyClock::now() + 30s);
  fleet.redis().thaw();
  const long long resume = measure_resume(fleet);
  EXPECT_GE(peak_journaled, 1) << "no result waited in a journal: the outage caught no match's end";
  std::cout << "STOP 30 s: at most " << peak_journaled << " results waited in the journals during the outage\n";
  expect_every_result_once(fleet, {}, resume, "STOP 30 s");
}

TEST(Outage, RedisKilledAndRestartedFromItsAofLosesNoResult) {
  OutageFleet fleet("aof");
  fleet.start_bots(kBots, kMatches, 150);
  ASSERT_NO_FATAL_FAILURE(wait_for_busy_fleet(fleet));
  fleet.redis().kill();
  fleet.redis().start();
  const long long resume = measure_resume(fleet);
  expect_every_result_once(fleet, {}, resume, "kill + AOF restart");
}

TEST(Outage, RedisKilledAndRestartedEmptyLosesNoResult) {
  OutageFleet fleet("empty");
  fleet.start_bots(kBots, kMatches, 150);
  ASSERT_NO_FATAL_FAILURE(wait_for_busy_fleet(fleet));
  // Writes paused (reads still served): the stream read here is everything
  // applied before the wipe; a result submitted now waits, fails with the
  // kill, and is redelivered from its journal into the new Redis.
  fleet.redis().command({"CLIENT", "PAUSE", "60000", "WRITE"});
  const std::vector<MatchId> before_wipe = fleet.result_ids();
  fleet.redis().kill();
  fleet.redis().wipe_data();
  fleet.redis().start();
  const long long resume = measure_resume(fleet);
  expect_every_result_once(fleet, before_wipe, resume, "kill + EMPTY restart");
}

TEST(Outage, ServerKilledWhileRedisIsStoppedDeliversItsJournalAfterRestart) {
  OutageFleet fleet("srvkill");
  fleet.start_bots(kBots, kMatches, 150);
  ASSERT_NO_FATAL_FAILURE(wait_for_busy_fleet(fleet));
  ASSERT_NO_FATAL_FAILURE(wait_for_match_start(fleet));
  const std::array<std::set<MatchId>, 2> journaled_before{fleet.journaled_ids(0), fleet.journaled_ids(1)};
  const auto stopped = SteadyClock::now();
  fleet.redis().freeze();
  // Kill the first server that journals a result while Redis cannot take
  // it (write-ahead: the file is there before the submit even times out):
  // that result then exists only in the killed server's journal.
  int victim = -1;
  ASSERT_TRUE(eventually(
      [&] {
        for (int i = 0; i < 2 && victim < 0; ++i) {
          if (has_new_id(fleet.journaled_ids(i), journaled_before[static_cast<std::size_t>(i)])) victim = i;
        }
        return victim >= 0;
      },
      25s, 20ms))
      << "no match ended during the outage";
  fleet.kill_server(victim);
  const std::set<MatchId> only_on_disk = fleet.journaled_ids(victim);
  hold_outage(fleet, stopped + 30s);
  fleet.redis().thaw();
  const long long resume = measure_resume(fleet);
  fleet.restart_server(victim);
  expect_every_result_once(fleet, {}, resume, "server SIGKILL while Redis is stopped");
  const std::vector<MatchId> stream = fleet.result_ids();
  for (const MatchId id : only_on_disk) {
    EXPECT_NE(std::find(stream.begin(), stream.end(), id), stream.end())
        << "match " << id << ", journaled by the killed server, is not in the stream";
  }
  std::cout << "server SIGKILL: " << only_on_disk.size() << " results were only in the killed server's journal\n";
  // The bots that waited in the killed server's lobby queued through the
  // other front door, and none failed. (Not every bot may finish its 4
  // matches: those whose match died with the server play another, and the
  // last few can be too few to fill one.)
  EXPECT_GE(json_number(fleet.report(), "front_door_losses").value_or(0), 1.0) << fleet.report();
  EXPECT_EQ(json_number(fleet.report(), "bots_failed"), 0.0) << fleet.report();
}
