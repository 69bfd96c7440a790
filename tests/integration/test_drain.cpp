// The drain a fleet relies on, for real: one redis-server, two qbot-server
// processes, 64 qbot-headless bots in matchmade battles, then `kill -TERM`
// of one server while it hosts battles.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "process.h"
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

std::vector<std::string> drain_flags(const RedisServer& redis, const std::string& id, const std::string& journal) {
  std::vector<std::string> f{"--redis", redis.url(), "--drain-timeout", "60", "--journal-dir", journal};
  const auto fleet = fast_fleet_flags(id, "drain-test-fleet-secret", 12);
  f.insert(f.end(), fleet.begin(), fleet.end());
  return f;
}

std::uint64_t unix_now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

bool server_live(RedisStore& store, const std::string& id) {
  auto live = store.live_servers();
  return live.ok() && std::any_of(live->begin(), live->end(), [&](const ServerInfo& s) { return s.id == id; });
}

/// Every match record the matchmakers wrote (match ids follow the clock:
/// they are found by their keys, not counted up to).
std::vector<MatchAssignment> all_matches(const RedisServer& redis, RedisStore& store) {
  std::vector<MatchAssignment> out;
  for (const MatchId id : redis.match_ids()) {
    auto m = store.match(id);
    EXPECT_TRUE(m.ok()) << m.error().message;
    if (m.ok() && *m) out.push_back(**m);
  }
  return out;
}

std::size_t journal_files(const std::string& dir) {
  std::error_code ec;
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

}  // namespace

TEST(Drain, SigtermWithBattlesRunningFinishesThemDeliversEveryResultOnceLeavesTheRegistryAndExitsZero) {
  RedisServer redis;
  const std::string journal_a = temp_dir("drain-journal-a");
  ServerProcess a(drain_flags(redis, "drain-a", journal_a), "drain-a");
  ServerProcess b(drain_flags(redis, "drain-b", temp_dir("drain-journal-b")), "drain-b");
  auto opened = redis_store_of(redis.url(), "drain-test-fleet-secret");
  RedisStore& store = *opened;
  ASSERT_TRUE(eventually([&] { return server_live(store, "drain-a") && server_live(store, "drain-b"); }, 10s));

  // Every bot's front door is B, so the bots keep a lobby after A goes; A
  // hosts some of the matches the matchmakers form.
  const std::string report = temp_dir("drain-report") + "/r.json";
  Process bots(QBOT_HEADLESS_BIN,
               {"--server", b.endpoint(), "--bots", "64", "--queue", "ffa", "--matches", "2", "--duration", "150",
                "--report", report},
               temp_dir("drain-bots") + "/headless.log");
  ASSERT_TRUE(eventually([&] { return a.metric("qbot_players").value_or(0) >= 8; }, 60s))
      << "no battle on A\n"
      << a.process().log().substr(0, 4000);
  const double players_at_signal = a.metric("qbot_players").value_or(0);
  const auto signalled = std::chrono::steady_clock::now();
  a.process().signal(SIGTERM);

  ASSERT_TRUE(eventually([&] { return !server_live(store, "drain-a"); }, 5s)) << "still in the registry";
  const auto left_after = std::chrono::steady_clock::now() - signalled;
  const std::uint64_t left_unix_ms = unix_now_ms();
  const auto exit_code = a.process().wait(90s);
  const auto exited_after = std::chrono::steady_clock::now() - signalled;
  ASSERT_TRUE(exit_code.has_value()) << "did not exit within the drain";
  EXPECT_EQ(*exit_code, 0) << a.process().log().substr(0, 4000);
  const std::string log_a = a.process().log();
  EXPECT_NE(log_a.find("drain over"), std::string::npos);
  EXPECT_EQ(log_a.find("--drain-timeout 60 s passed"), std::string::npos) << "the battles should finish in time";

  const auto bots_exit = bots.wait(200s);
  ASSERT_TRUE(bots_exit.has_value());
  EXPECT_EQ(*bots_exit, 0) << bots.log().substr(0, 4000);
  const std::string json = read_text(report);
  EXPECT_EQ(json_number(json, "matches_played"), 128.0) << json;

  // No match was given to A once it had left the registry; every match has
  // exactly one result; A journaled nothing it did not deliver.
  const auto matches = all_matches(redis, store);
  std::size_t on_a = 0;
  for (const MatchAssignment& m : matches) {
    if (m.server_id != "drain-a") continue;
    ++on_a;
    EXPECT_LT(m.created_ms, left_unix_ms) << "match " << m.id << " assigned to A after it left the registry";
  }
  EXPECT_GT(on_a, 0u);
  // B is still running: its last results may still be on their way (saved
  // to its journal, then submitted), so wait for one result per match.
  const auto results_in = [&] {
    const auto r = store.results(0, 10000);
    return r.ok() && r->size() >= matches.size();
  };
  EXPECT_TRUE(eventually(results_in, 15s)) << "a result never reached the stream";
  auto results = store.results(0, 10000);
  ASSERT_TRUE(results.ok()) << results.error().message;
  std::map<MatchId, int> result_count;
  for (const MatchResult& r : *results) result_count[r.match_id] += 1;
  EXPECT_EQ(result_count.size(), matches.size());
  for (const MatchAssignment& m : matches) EXPECT_EQ(result_count[m.id], 1) << "match " << m.id;
  EXPECT_EQ(journal_files(journal_a), 0u);
  EXPECT_FALSE(server_live(store, "drain-a"));

  const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::cout << "drain: " << players_at_signal << " players in battle on A at SIGTERM; left the registry after "
            << ms(left_after) << " ms; exited 0 after " << ms(exited_after) << " ms; " << on_a << " of "
            << matches.size() << " matches were hosted on A, " << results->size() << " results for " << matches.size()
            << " matches\n";
  RecordProperty("registry_left_after_ms", static_cast<int>(ms(left_after)));
  RecordProperty("exited_after_ms", static_cast<int>(ms(exited_after)));
}

TEST(Drain, ASecondSignalCutsTheDrainShortAndStillExitsZero) {
  RedisServer redis;
  const std::string journal = temp_dir("drain2-journal");
  auto flags = drain_flags(redis, "drain2-a", journal);
  *(std::find(flags.begin(), flags.end(), "--match-duration") + 1) = "120";  // far longer than the test
  ServerProcess a(flags, "drain2-a");
  Process bots(QBOT_HEADLESS_BIN,
               {"--server", a.endpoint(), "--bots", "8", "--queue", "ffa", "--matches", "1", "--duration", "60"},
               temp_dir("drain2-bots") + "/headless.log");
  ASSERT_TRUE(eventually([&] { return a.metric("qbot_players").value_or(0) >= 8; }, 60s)) << a.process().log();
  a.process().signal(SIGTERM);
  ASSERT_TRUE(eventually([&] { return a.metric("qbot_draining").value_or(0) == 1; }, 5s));
  EXPECT_TRUE(a.process().running());  // waiting for the battle
  a.process().signal(SIGTERM);
  const auto code = a.process().wait(15s);
  ASSERT_TRUE(code.has_value()) << "a second signal should end the drain";
  EXPECT_EQ(*code, 0);
  EXPECT_NE(a.process().log().find("second signal"), std::string::npos);
}
