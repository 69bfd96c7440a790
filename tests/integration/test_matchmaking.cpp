// Acceptance for matchmaking: one real redis-server, real
// qbot-server processes and qbot-headless bots queueing through them. What
// happened is read back from Redis with the RedisStore.
#include <gtest/gtest.h>

#include <signal.h>

#include <iostream>
#include <map>
#include <set>

#include "proto/version.h"
#include "redis_server.h"
#include "redis_store_of.h"
#include "server/store/redis_store.h"
#include "server_process.h"
#include "test_client.h"
#include "token/token.h"
#include "wait.h"

using namespace qbot::test;
using namespace qbot;
using namespace qbot::server;
using namespace std::chrono_literals;

namespace {

const std::string kSecret = "integration-test-fleet-secret";

std::vector<std::string> fleet_flags(const RedisServer& redis, const std::string& id,
                                     std::vector<std::string> more = {}) {
  std::vector<std::string> f{"--redis", redis.url()};
  const auto fleet = fast_fleet_flags(id, kSecret);
  f.insert(f.end(), fleet.begin(), fleet.end());
  f.insert(f.end(), more.begin(), more.end());
  return f;
}

std::unique_ptr<RedisStore> store_of(const RedisServer& redis) { return redis_store_of(redis.url(), kSecret); }

/// Every match record the matchmakers wrote.
std::vector<MatchAssignment> all_matches(const RedisServer& redis, RedisStore& store) {
  std::vector<MatchAssignment> out;
  for (const MatchId id : redis.match_ids()) {
    auto m = store.match(id);
    EXPECT_TRUE(m.ok()) << m.error().message;
    if (m.ok() && *m) out.push_back(**m);
  }
  return out;
}

bool server_live(RedisStore& store, const std::string& id) {
  auto live = store.live_servers();
  return live.ok() && std::any_of(live->begin(), live->end(), [&](const ServerInfo& s) { return s.id == id; });
}

}  // namespace

TEST(Matchmaking, SixtyFourBotsPlayTheirMatchesAcrossTwoServersExactlyOnce) {
  RedisServer redis;
  ServerProcess a(fleet_flags(redis, "mm-a"), "mm-a");
  ServerProcess b(fleet_flags(redis, "mm-b"), "mm-b");
  constexpr int kBots = 64;
  constexpr int kMatches = 2;
  const std::string report = temp_dir("mm-report") + "/r.json";
  const auto run =
      run_program(QBOT_HEADLESS_BIN,
                  {"--server", a.endpoint() + "," + b.endpoint(), "--bots", std::to_string(kBots), "--queue", "ffa",
                   "--matches", std::to_string(kMatches), "--duration", "150", "--report", report},
                  "mm-headless", 200s);
  ASSERT_EQ(run.exit_code, 0) << run.output << "\n--- server a ---\n" << a.process().log().substr(0, 4000);
  const std::string json = read_text(report);
  EXPECT_EQ(json_number(json, "matches_played"), kBots * kMatches) << json;
  EXPECT_EQ(json_number(json, "queue_refusals"), 0.0) << json;
  EXPECT_TRUE(json_number(json, "time_to_match_ms_p50").has_value());
  EXPECT_TRUE(json_number(json, "time_to_match_ms_p99").has_value());

  auto store = store_of(redis);
  const auto matches = all_matches(redis, *store);
  std::map<AccountId, int> seats_of;
  std::map<std::string, int> matches_on;
  std::size_t seats = 0;
  for (const MatchAssignment& m : matches) {
    std::set<AccountId> in_this;
    for (const MatchSlot& s : m.slots) {
      EXPECT_TRUE(in_this.insert(s.account).second) << "account " << s.account << " twice in match " << m.id;
      seats_of[s.account] += 1;
    }
    seats += m.slots.size();
    matches_on[m.server_id] += 1;
  }
  // Every ticket became exactly one seat: 64 accounts x 2 tickets, and the
  // servers created exactly as many tickets as there are seats.
  EXPECT_EQ(seats_of.size(), static_cast<std::size_t>(kBots));
  for (const auto& [account, n] : seats_of) EXPECT_EQ(n, kMatches) << "account " << account;
  const double tickets =
      a.metric("qbot_tickets_created_total").value_or(-1) + b.metric("qbot_tickets_created_total").value_or(-1);
  EXPECT_EQ(tickets, static_cast<double>(seats));
  EXPECT_GT(matches_on["mm-a"], 0);
  EXPECT_GT(matches_on["mm-b"], 0);

  // One result per match in the stream, and ratings moved for everyone.
  const bool all_results = eventually(
      [&] {
        auto r = store->results(0, 10000);
        return r.ok() && r->size() >= matches.size();
      },
      10s);
  EXPECT_TRUE(all_results);
  auto results = store->results(0, 10000);
  ASSERT_TRUE(results.ok()) << results.error().message;
  std::set<MatchId> result_ids;
  for (const MatchResult& r : *results) EXPECT_TRUE(result_ids.insert(r.match_id).second) << "match " << r.match_id;
  std::set<MatchId> match_ids;
  for (const MatchAssignment& m : matches) match_ids.insert(m.id);
  EXPECT_EQ(result_ids, match_ids);
  int moved = 0;
  for (const auto& [account, n] : seats_of) {
    auto rating = store->rating(account);
    ASSERT_TRUE(rating.ok());
    EXPECT_EQ(rating->matches, static_cast<std::uint32_t>(kMatches)) << "account " << account;
    moved += rating->rating != Rating{}.rating ? 1 : 0;
  }
  EXPECT_GT(moved, kBots / 2) << "ratings should move after two matches";
}

TEST(Matchmaking, AKilledServerLeavesTheRegistryAndGetsNoNewMatches) {
  RedisServer redis;
  ServerProcess a(fleet_flags(redis, "live-a"), "live-a");
  ServerProcess b(fleet_flags(redis, "dies-b"), "dies-b");
  auto store = store_of(redis);
  ASSERT_TRUE(eventually([&] { return server_live(*store, "live-a") && server_live(*store, "dies-b"); }, 10s));

  // What bounds the entry's life once its server is gone is its TTL: set,
  // and no longer than --registry-ttl-ms.
  const long long ttl = std::stoll(redis.command({"PTTL", "qbot:server:dies-b"}));
  EXPECT_GT(ttl, 0) << "an entry without a TTL outlives its server";
  EXPECT_LE(ttl, 1500);
  b.process().signal(SIGKILL);  // no deregistration: only the TTL can remove it
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return !server_live(*store, "dies-b"); }, 10s));
  const auto gone_after =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed);
  std::cout << "the killed server's entry was gone after " << gone_after.count() << " ms (TTL 1500 ms)\n";
  RecordProperty("registry_entry_gone_after_ms", static_cast<int>(gone_after.count()));
  EXPECT_TRUE(server_live(*store, "live-a"));

  const auto run =
      run_program(QBOT_HEADLESS_BIN,
                  {"--server", a.endpoint(), "--bots", "8", "--queue", "ffa", "--matches", "1", "--duration", "60"},
                  "after-kill", 90s);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto matches = all_matches(redis, *store);
  ASSERT_FALSE(matches.empty());
  for (const MatchAssignment& m : matches) EXPECT_EQ(m.server_id, "live-a") << "match " << m.id;
}

// ---------------------------------------------------------------------------
// Join tokens against a real server: only valid, unexpired, unused tokens
// for a match this server hosts get in.
// ---------------------------------------------------------------------------
class JoinTokens : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ServerProcess>(fleet_flags(redis, "tok-a", {"--matchmaker", "false"}), "tokens");
    store = store_of(redis);
    // A real assignment: two waiting tickets, claimed by assign_matches.
    for (AccountId account : {101, 102}) {
      Ticket t;
      t.account = account;
      t.mode = "ffa";
      t.region = "local";
      t.bot.loadout = {"tok" + std::to_string(account), "striker", "blaster", "blaster", "shield", 0};
      ASSERT_TRUE(store->enqueue(t, 60000).ok());
    }
    auto first = store->reserve_match_ids(1);
    ASSERT_TRUE(first.ok());
    match_id = *first;
    MatchAssignment m;
    m.id = match_id;
    m.mode = "ffa";
    m.region = "local";
    m.server_id = "tok-a";
    m.host = "127.0.0.1";
    m.port = server->port();
    for (AccountId account : {101, 102}) {
      MatchSlot slot;
      slot.account = account;
      slot.token = sign(account, match_id, "tok-a", 60000);
      m.slots.push_back(slot);
    }
    auto assigned = store->assign_matches(std::span(&m, 1));
    ASSERT_TRUE(assigned.ok() && (*assigned)[0]);
  }

  std::string sign(AccountId account, MatchId match, const std::string& server_id, std::int64_t ttl_ms) const {
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    return qbot::token::sign_join(qbot::token::derive_key(kSecret),
                                  {qbot::proto::kProtocolVersion, match, account, server_id,
                                   static_cast<std::uint64_t>(now + ttl_ms)});
  }

  /// Presents `token` in a Hello; returns the Welcome or the Reject.
  std::variant<qbot::proto::Welcome, qbot::proto::Reject, std::monostate> present(const std::string& token) {
    TestClient c;
    if (!c.connect({"127.0.0.1", server->port()})) return std::monostate{};
    qbot::proto::Hello h;
    h.protocol_version = qbot::proto::kProtocolVersion;
    h.join_token.assign(token.begin(), token.end());
    c.send(h);
    for (auto m = c.receive(8s); m; m = c.receive(8s)) {
      if (auto* w = std::get_if<qbot::proto::Welcome>(&*m)) return *w;
      if (auto* r = std::get_if<qbot::proto::Reject>(&*m)) return *r;
    }
    return std::monostate{};
  }

  qbot::proto::RejectReason refused(const std::string& token) {
    auto answer = present(token);
    auto* r = std::get_if<qbot::proto::Reject>(&answer);
    EXPECT_NE(r, nullptr) << "expected a Reject";
    return r != nullptr ? r->reason : qbot::proto::RejectReason::Unknown;
  }

  RedisServer redis;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<RedisStore> store;
  MatchId match_id = 0;
};

TEST_F(JoinTokens, AValidTokenIsAdmittedOnceAndEveryBadOneIsRefusedWithItsReason) {
  using qbot::proto::RejectReason;
  const std::string valid = sign(101, match_id, "tok-a", 60000);
  auto answer = present(valid);
  auto* w = std::get_if<qbot::proto::Welcome>(&answer);
  ASSERT_NE(w, nullptr) << server->process().log().substr(0, 3000);
  EXPECT_EQ(w->match_id, match_id);
  EXPECT_EQ(w->account_id, 101u);
  EXPECT_FALSE(w->lobby);

  EXPECT_EQ(refused(valid), RejectReason::TokenReplayed);

  std::string forged = sign(102, match_id, "tok-a", 60000);
  forged[forged.size() / 2] ^= 0x01;
  EXPECT_EQ(refused(forged), RejectReason::InvalidToken);
  const std::string other_key = qbot::token::sign_join(qbot::token::derive_key("another fleet's secret!"),
                                                       {qbot::proto::kProtocolVersion, match_id, 102, "tok-a",
                                                        std::numeric_limits<std::uint64_t>::max()});
  EXPECT_EQ(refused(other_key), RejectReason::InvalidToken);
  EXPECT_EQ(refused(sign(102, match_id, "tok-a", -1000)), RejectReason::TokenExpired);
  EXPECT_EQ(refused(sign(102, match_id + 1000, "tok-a", 60000)), RejectReason::WrongMatch);
  EXPECT_EQ(refused(sign(102, match_id, "tok-elsewhere", 60000)), RejectReason::WrongServer);
  EXPECT_EQ(refused(sign(103, match_id, "tok-a", 60000)), RejectReason::WrongMatch) << "no seat for this account";

  // None of the refusals spent 102's seat.
  auto second = present(sign(102, match_id, "tok-a", 60000));
  EXPECT_TRUE(std::holds_alternative<qbot::proto::Welcome>(second));
  EXPECT_GE(server->metric("qbot_rejects_total{reason=\"token_replayed\"}").value_or(0), 1.0);
}

TEST(Matchmaking, AResultOfAMatchThatEndsWhileRedisIsDownIsJournaledThenDelivered) {
  RedisServer redis;
  ServerProcess a(fleet_flags(redis, "journal-a"), "journal-a");
  Process bots(QBOT_HEADLESS_BIN,
               {"--server", a.endpoint(), "--bots", "2", "--queue", "ffa", "--matches", "1", "--duration", "90"},
               temp_dir("journal-bots") + "/headless.log");
  // Both players are in the matchmade battle (10 s): now take Redis away.
  ASSERT_TRUE(eventually([&] { return a.metric("qbot_players").value_or(0) >= 2; }, 30s)) << bots.log();
  redis.stop();
  ASSERT_TRUE(
      eventually([&] { return a.metric("qbot_match_results_total{outcome=\"journaled\"}").value_or(0) >= 1; }, 40s))
      << a.process().log().substr(0, 4000);
  EXPECT_EQ(a.metric("qbot_results_journaled"), 1.0);
  EXPECT_EQ(a.metric("qbot_match_results_total{outcome=\"applied\"}"), 0.0);

  redis.start();  // empty: the journal is the only copy of the result
  auto store = store_of(redis);
  ASSERT_TRUE(eventually(
      [&] {
        auto r = store->results(0, 10);
        return r.ok() && r->size() == 1;
      },
      20s));
  auto results = store->results(0, 10);
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].server_id, "journal-a");
  EXPECT_EQ((*results)[0].rows.size(), 2u);
  EXPECT_TRUE(eventually([&] { return a.metric("qbot_results_journaled") == 0.0; }, 10s));
  EXPECT_EQ(a.metric("qbot_match_results_total{outcome=\"applied\"}"), 1.0);
  bots.wait(60s);
}

// The wait estimate a queued client is told first, against the wait it gets:
// 4 bots in free-for-all (fewer than a full match of 8) wait for the fill
// timeout twice; the first time the front door has no history, the second
// time it has the first round's.
TEST(Matchmaking, TheFirstWaitEstimateIsWithinHalfOfTheMeasuredWait) {
  RedisServer redis;
  ServerProcess a(fleet_flags(redis, "est-a"), "est-a");
  const std::string report = temp_dir("est-report") + "/r.json";
  const auto run = run_program(QBOT_HEADLESS_BIN,
                               {"--server", a.endpoint(), "--bots", "4", "--queue", "ffa", "--matches", "2",
                                "--duration", "80", "--report", report},
                               "est-headless", 120s);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string json = read_text(report);
  ASSERT_EQ(json_number(json, "matches_played"), 8.0) << json;
  const double estimated = json_number(json, "estimated_wait_ms_p50").value_or(0);
  const double measured = json_number(json, "time_to_match_ms_p50").value_or(0);
  std::cout << "first wait estimate p50 " << estimated << " ms, measured time to match p50 " << measured << " ms\n";
  RecordProperty("estimated_wait_ms_p50", static_cast<int>(estimated));
  RecordProperty("time_to_match_ms_p50", static_cast<int>(measured));
  ASSERT_GT(measured, 1000.0) << "the bots really waited: " << json;
  EXPECT_GE(estimated, 0.5 * measured) << json;
  EXPECT_LE(estimated, 1.5 * measured) << json;
}
