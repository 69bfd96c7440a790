// AgonesReporter on virtual time: what it tells Agones, in which order, and
// that a stuck tick (no live tick) sends no more Health.
#include "server/agones/agones_link.h"
#include "server/agones/agones_reporter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace qbot::server;
using namespace std::chrono_literals;

namespace {

std::string describe(const AgonesCall& c) {
  switch (c.kind) {
    case AgonesCall::Kind::Label: return "label " + c.name + "=" + c.value;
    case AgonesCall::Kind::Counter:
      return "counter " + c.name + " " + std::to_string(c.count) + "/" + std::to_string(c.capacity);
    default: return std::string(agones_call_name(c.kind));
  }
}

class Reporter : public ::testing::Test {
 protected:
  Reporter() {
    settings_.region = "eu west";
    settings_.protocol_version = 2;
    settings_.health_period = 1000ms;
    settings_.player_capacity = 64;
    settings_.arena_capacity = 8;
    settings_.idle_before_ready = 5000ms;
    settings_.counter_period = 1000ms;
  }
  AgonesReporter make() {
    return AgonesReporter(settings_, [this](AgonesCall c) {
      sent_.push_back(describe(c));
      return true;
    });
  }
  /// Runs update() every 10 ms of virtual time for `span`.
  void run(AgonesReporter& r, std::chrono::milliseconds span, const AgonesView& view) {
    for (auto end = now_ + span; now_ < end; now_ += 10ms) r.update(now_, view);
  }
  std::size_t count(const std::string& what) const {
    return static_cast<std::size_t>(std::count(sent_.begin(), sent_.end(), what));
  }

  AgonesSettings settings_;
  std::vector<std::string> sent_;
  std::chrono::nanoseconds now_{100s};
};

}  // namespace

TEST_F(Reporter, LabelsAndCapacitiesFirstThenReadyOnlyOnceReadyThenHealthEveryPeriod) {
  AgonesReporter r = make();
  ASSERT_EQ(sent_, (std::vector<std::string>{"label region=eu-west", "label protocol-version=2",
                                             "counter players -1/64", "counter arenas -1/8"}));
  sent_.clear();
  AgonesView view;
  view.live = true;
  run(r, 2000ms, view);  // live but not ready (store unreachable): Health, no Ready
  EXPECT_EQ(count("ready"), 0u);
  EXPECT_EQ(count("health"), 2u);
  view.ready = true;
  run(r, 3000ms, view);
  EXPECT_EQ(count("ready"), 1u);
  EXPECT_EQ(count("health"), 5u);  // one per second, not one per update
  EXPECT_EQ(r.state(), AgonesReporter::State::Ready);
  EXPECT_EQ(count("counter players 0/-1"), 1u);  // counts sent once, then only on change
  EXPECT_EQ(count("counter arenas 0/-1"), 1u);
}

TEST_F(Reporter, AStuckTickSendsNoMoreHealthAndHealthResumesWithTheTick) {
  AgonesReporter r = make();
  AgonesView view;
  view.live = view.ready = true;
  run(r, 3000ms, view);
  const std::size_t before = count("health");
  EXPECT_EQ(before, 3u);
  view.live = false;  // no tick completed lately
  run(r, 10000ms, view);
  EXPECT_EQ(count("health"), before);
  view.live = true;
  run(r, 1000ms, view);
  EXPECT_EQ(count("health"), before + 1);
}

TEST_F(Reporter, PlayersAllocateTheServerAndItReturnsToReadyAfterBeingIdle) {
  AgonesReporter r = make();
  AgonesView view;
  view.live = view.ready = true;
  run(r, 100ms, view);
  view.busy = true;
  view.players = 70;  // more than the capacity: reported full, never above it
  view.arenas = 9;
  run(r, 1500ms, view);
  EXPECT_EQ(r.state(), AgonesReporter::State::Allocated);
  EXPECT_EQ(count("allocate"), 1u);
  EXPECT_EQ(count("counter players 64/-1"), 1u);
  EXPECT_EQ(count("counter arenas 8/-1"), 1u);
  view = AgonesView{};
  view.live = view.ready = true;
  run(r, 4000ms, view);  // idle, but not for idle_before_ready yet
  EXPECT_EQ(r.state(), AgonesReporter::State::Allocated);
  run(r, 2000ms, view);
  EXPECT_EQ(r.state(), AgonesReporter::State::Ready);
  EXPECT_EQ(count("ready"), 2u);
}

TEST_F(Reporter, WhileDrainingTheAllocationStaysAndShutdownIsTheLastCall) {
  AgonesReporter r = make();
  AgonesView view;
  view.live = view.ready = true;
  view.busy = true;
  run(r, 500ms, view);
  view.draining = true;
  view.ready = false;
  view.busy = false;
  run(r, 10000ms, view);  // idle while draining: no Ready (it would be allocated again)
  EXPECT_EQ(count("ready"), 1u);
  r.shutdown();
  r.shutdown();
  run(r, 3000ms, view);
  ASSERT_FALSE(sent_.empty());
  EXPECT_EQ(sent_.back(), "shutdown");
  EXPECT_EQ(count("shutdown"), 1u);
}

TEST(AgonesCalls, RequestsFollowTheRestGatewayWithInt64AsJsonStrings) {
  const AgonesRequest ready = agones_request(AgonesCall::lifecycle(AgonesCall::Kind::Ready));
  EXPECT_EQ(ready.method, qbot::http::Method::Post);
  EXPECT_EQ(ready.path, "/ready");
  EXPECT_EQ(ready.body, "{}");
  EXPECT_EQ(agones_request(AgonesCall::lifecycle(AgonesCall::Kind::Shutdown)).path, "/shutdown");
  const AgonesRequest label = agones_request(AgonesCall::label("region", "eu"));
  EXPECT_EQ(label.method, qbot::http::Method::Put);
  EXPECT_EQ(label.path, "/metadata/label");
  EXPECT_EQ(label.body, R"({"key":"region","value":"eu"})");
  const AgonesRequest counter = agones_request(AgonesCall::counter("players", 5, 64));
  EXPECT_EQ(counter.method, qbot::http::Method::Patch);
  EXPECT_EQ(counter.path, "/v1beta1/counters/players");
  EXPECT_EQ(counter.body, R"({"capacity":"64","count":"5"})");
  EXPECT_EQ(agones_request(AgonesCall::counter("arenas", 3, -1)).body, R"({"count":"3"})");
}

TEST(AgonesCalls, LabelValuesAreMadeValidKubernetesLabelValues) {
  EXPECT_EQ(label_value("eu west/1"), "eu-west-1");
  EXPECT_EQ(label_value("--x--"), "x");
  EXPECT_EQ(label_value(std::string(100, 'a')).size(), 63u);
  EXPECT_EQ(label_value("///"), "");
}

TEST(AgonesCalls, AHostileGameServerIsRefusedNamingTheField) {
  EXPECT_FALSE(parse_game_server("not json"));
  EXPECT_FALSE(parse_game_server("[]"));
  auto bad_state = parse_game_server(R"({"status":{"state":7}})");
  ASSERT_FALSE(bad_state);
  EXPECT_NE(bad_state.error().find("status.state"), std::string::npos);
  auto bad_port = parse_game_server(R"({"status":{"state":"Ready","ports":[{"name":"game","port":70000}]}})");
  ASSERT_FALSE(bad_port);
  EXPECT_NE(bad_port.error().find("status.ports[].port"), std::string::npos);
  auto long_address = parse_game_server(R"({"status":{"address":")" + std::string(300, 'a') + R"("}})");
  ASSERT_FALSE(long_address);
  EXPECT_NE(long_address.error().find("status.address"), std::string::npos);
  auto ok = parse_game_server(
      R"({"status":{"state":"Ready","address":"10.0.0.7","ports":[{"name":"http","port":9100},{"name":"game","port":7654}]}})");
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->address, "10.0.0.7");
  EXPECT_EQ(ok->port_named("game"), 7654);
  EXPECT_EQ(ok->port_named("nope"), 0);  // two ports, neither named so
}

TEST(AgonesLinkConfig, TheSidecarPortComesFromAgonesSdkHttpPortUnlessTheFlagSetsIt) {
  Config cfg;
  EXPECT_FALSE(AgonesLink::enabled(cfg));
  ASSERT_TRUE(AgonesLink::adopt_sdk_port(cfg, nullptr));
  EXPECT_FALSE(AgonesLink::enabled(cfg));
  ASSERT_TRUE(AgonesLink::adopt_sdk_port(cfg, "9358"));
  EXPECT_EQ(cfg.agones_sdk_port, 9358);
  EXPECT_TRUE(AgonesLink::enabled(cfg));
  ASSERT_TRUE(AgonesLink::adopt_sdk_port(cfg, "1234"));  // the flag (already set) wins
  EXPECT_EQ(cfg.agones_sdk_port, 9358);
  for (const char* bad : {"", "0", "65536", "12ab", "-1", " 80"}) {
    Config fresh;
    auto r = AgonesLink::adopt_sdk_port(fresh, bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find("AGONES_SDK_HTTP_PORT"), std::string::npos);
  }
}
