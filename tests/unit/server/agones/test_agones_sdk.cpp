// AgonesSdk (its own thread, real HTTP) against the fake sidecar written
// from Agones' REST documentation (tests/support/fake_agones_sidecar.h).
#include "server/agones/agones_sdk.h"

#include <gtest/gtest.h>

#include "fake_agones_sidecar.h"
#include "wait.h"

using namespace qbot::server;
using namespace std::chrono_literals;
using qbot::test::eventually;
using qbot::test::FakeAgonesSidecar;

namespace {

AgonesSdkConfig config_for(const FakeAgonesSidecar& fake) {
  AgonesSdkConfig c;
  c.base_url = "http://127.0.0.1:" + std::to_string(fake.port());
  c.backoff_min = 20ms;
  c.backoff_max = 200ms;
  c.watch_period = 50ms;
  return c;
}

std::vector<std::string> paths(const std::vector<FakeAgonesSidecar::Call>& calls, int status) {
  std::vector<std::string> out;
  for (const auto& c : calls) {
    if (c.status == status && c.path != "/gameserver") out.push_back(c.method + " " + c.path);
  }
  return out;
}

}  // namespace

TEST(AgonesSdk, CallsWaitWithBackoffUntilTheSidecarIsUpThenGoInOrder) {
  FakeAgonesSidecar fake("127.0.0.1", 7777);
  ASSERT_NE(fake.port(), 0);
  fake.set_up(false);
  AgonesSdk sdk(config_for(fake));
  ASSERT_TRUE(sdk.post(AgonesCall::label("region", "eu")));
  ASSERT_TRUE(sdk.post(AgonesCall::counter("players", -1, 64)));
  ASSERT_TRUE(sdk.post(AgonesCall::lifecycle(AgonesCall::Kind::Ready)));
  // Refused while down: retried, more slowly each time.
  ASSERT_TRUE(eventually([&] { return paths(fake.calls(), 503).size() >= 5; }, 5s));
  const auto refused = fake.calls();
  std::vector<std::chrono::steady_clock::duration> gaps;
  for (std::size_t i = 1; i < refused.size(); ++i) gaps.push_back(refused[i].at - refused[i - 1].at);
  ASSERT_GE(gaps.size(), 4u);
  EXPECT_GT(gaps[3], gaps[0]) << "backoff should grow";
  for (const auto& c : refused) EXPECT_EQ(c.path, "/metadata/label") << "the first call is retried, the rest wait";

  fake.set_up(true);
  ASSERT_TRUE(eventually([&] { return paths(fake.calls(), 200).size() == 3; }, 5s));
  EXPECT_EQ(paths(fake.calls(), 200),
            (std::vector<std::string>{"PUT /metadata/label", "PATCH /v1beta1/counters/players", "POST /ready"}));
  EXPECT_EQ(fake.counter("players").second, 64);
  EXPECT_EQ(fake.labels().at("region"), "eu");
  EXPECT_TRUE(eventually([&] { return sdk.totals().ok == 3; }, 2s));
  EXPECT_EQ(sdk.totals().failed, 0u);
}

TEST(AgonesSdk, AHealthPingTheSidecarDoesNotTakeIsDroppedNotRetried) {
  FakeAgonesSidecar fake("127.0.0.1", 7777);
  fake.set_up(false);
  AgonesSdk sdk(config_for(fake));
  ASSERT_TRUE(sdk.post(AgonesCall::lifecycle(AgonesCall::Kind::Health)));
  ASSERT_TRUE(eventually([&] { return sdk.totals().failed == 1; }, 5s));
  EXPECT_EQ(paths(fake.calls(), 503).size(), 1u);
}

TEST(AgonesSdk, TheQueueIsBoundedAndWaitingHealthAndCounterUpdatesAreMerged) {
  FakeAgonesSidecar fake("127.0.0.1", 7777);
  fake.set_up(false);
  AgonesSdkConfig c = config_for(fake);
  c.queue_capacity = 4;
  AgonesSdk sdk(c);
  ASSERT_TRUE(sdk.post(AgonesCall::lifecycle(AgonesCall::Kind::Ready)));  // the front: retried while down
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(sdk.post(AgonesCall::lifecycle(AgonesCall::Kind::Health)));
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(sdk.post(AgonesCall::counter("players", i, -1)));
  ASSERT_TRUE(sdk.post(AgonesCall::label("a", "1")));
  EXPECT_FALSE(sdk.post(AgonesCall::label("b", "2")));  // 4 waiting: full
  EXPECT_EQ(sdk.totals().dropped, 1u);
  fake.set_up(true);
  ASSERT_TRUE(eventually([&] { return sdk.totals().ok == 4; }, 5s));
  EXPECT_EQ(paths(fake.calls(), 200),
            (std::vector<std::string>{"POST /ready", "POST /health", "PATCH /v1beta1/counters/players",
                                      "PUT /metadata/label"}));
  EXPECT_EQ(fake.counter("players").first, 10);  // the last update won
}

TEST(AgonesSdk, AGameServerMovedToShutdownAsksForTheDrain) {
  FakeAgonesSidecar fake("127.0.0.1", 7777);
  AgonesSdk sdk(config_for(fake));
  EXPECT_FALSE(sdk.shutdown_requested());
  fake.set_state("Allocated");
  ASSERT_TRUE(eventually([&] { return !fake.accepted("/gameserver").empty(); }, 5s));
  EXPECT_FALSE(sdk.shutdown_requested());
  fake.set_state("Shutdown");
  EXPECT_TRUE(eventually([&] { return sdk.shutdown_requested(); }, 5s));
}

TEST(AgonesSdk, StopSendsWhatIsQueuedWithinItsTimeAndDropsTheRest) {
  FakeAgonesSidecar fake("127.0.0.1", 7777);
  {
    AgonesSdk sdk(config_for(fake));
    ASSERT_TRUE(sdk.post(AgonesCall::lifecycle(AgonesCall::Kind::Shutdown)));
    sdk.stop(2s);
    EXPECT_EQ(sdk.totals().ok, 1u);
  }
  EXPECT_EQ(fake.accepted("/shutdown").size(), 1u);
  fake.set_up(false);
  AgonesSdk sdk(config_for(fake));
  ASSERT_TRUE(sdk.post(AgonesCall::lifecycle(AgonesCall::Kind::Shutdown)));
  const auto started = std::chrono::steady_clock::now();
  sdk.stop(300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(sdk.totals().dropped, 1u);
}

TEST(AgonesSdk, WaitForGameServerRetriesUntilItHasAnAddress) {
  FakeAgonesSidecar fake("10.1.2.3", 7654);
  fake.set_up(false);
  std::thread later([&] {
    // The sidecar comes up after the game server asked (the order Agones allows).
    qbot::test::eventually([&] { return fake.calls().size() >= 2; }, 5s);
    fake.set_up(true);
  });
  auto gs = AgonesSdk::wait_for_game_server("http://127.0.0.1:" + std::to_string(fake.port()), 10s);
  later.join();
  ASSERT_TRUE(gs) << gs.error();
  EXPECT_EQ(gs->address, "10.1.2.3");
  EXPECT_EQ(gs->port_named("game"), 7654);
  FakeAgonesSidecar never("127.0.0.1", 1);
  never.set_up(false);
  auto none = AgonesSdk::wait_for_game_server("http://127.0.0.1:" + std::to_string(never.port()), 500ms);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("503"), std::string::npos) << none.error();
}
