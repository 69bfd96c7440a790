// qbot-server with Agones on, as a pod runs it: a real process that finds the
// SDK sidecar by AGONES_SDK_HTTP_PORT, against the fake sidecar written from
// Agones' REST documentation (tests/support/fake_agones_sidecar.h, which
// records every call). What it says, in which order, with which bodies, and
// what happens when the sidecar is late or the tick is stuck.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fake_agones_sidecar.h"
#include "http/http_client.h"
#include "ports.h"
#include "process.h"
#include "proto/version.h"
#include "server_process.h"
#include "test_client.h"
#include "wait.h"

using namespace qbot;
using namespace qbot::test;
using namespace std::chrono_literals;
using Call = FakeAgonesSidecar::Call;
using Json = nlohmann::json;

namespace {

constexpr auto kHealthPeriod = 200ms;
constexpr int kMaxClients = 64;
constexpr int kArenaSize = 8;

/// AGONES_SDK_HTTP_PORT, as Agones sets it, for the servers started while it
/// lives (children inherit the environment).
class SdkPortInEnvironment {
 public:
  explicit SdkPortInEnvironment(std::uint16_t port) {
    ::setenv("AGONES_SDK_HTTP_PORT", std::to_string(port).c_str(), 1);
  }
  ~SdkPortInEnvironment() { ::unsetenv("AGONES_SDK_HTTP_PORT"); }
  SdkPortInEnvironment(const SdkPortInEnvironment&) = delete;
  SdkPortInEnvironment& operator=(const SdkPortInEnvironment&) = delete;
};

/// True while another socket holds UDP 127.0.0.1:`port` (our bind fails
/// with EADDRINUSE): the server's game port is listening.
bool udp_port_in_use(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool in_use = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno == EADDRINUSE;
  ::close(fd);
  return in_use;
}

std::vector<std::string> agones_flags(std::vector<std::string> more = {}) {
  std::vector<std::string> flags{"--agones",
                                 "--agones-health-ms",
                                 std::to_string(kHealthPeriod.count()),
                                 "--max-clients",
                                 std::to_string(kMaxClients),
                                 "--arena-size",
                                 std::to_string(kArenaSize),
                                 "--region",
                                 "eu-test",
                                 "--drain-timeout",
                                 "20"};
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

std::vector<Call> calls_to(const std::vector<Call>& calls, const std::string& method, const std::string& prefix) {
  std::vector<Call> out;
  for (const Call& c : calls) {
    if (c.method == method && c.path.rfind(prefix, 0) == 0) out.push_back(c);
  }
  return out;
}

std::vector<std::chrono::milliseconds> gaps(const std::vector<Call>& calls) {
  std::vector<std::chrono::milliseconds> out;
  for (std::size_t i = 1; i < calls.size(); ++i) {
    out.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(calls[i].at - calls[i - 1].at));
  }
  return out;
}

/// An int64 of the REST gateway: a JSON string of decimal digits.
bool is_int64_string(const Json& v) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  return !s.empty() && s.size() <= 19 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

long http_status(std::uint16_t port, const std::string& path) {
  auto r = http::Client().get("http://127.0.0.1:" + std::to_string(port) + path);
  return r ? r->status : 0;
}

struct AgonesServer {
  std::uint16_t game_port = free_udp_port();
  FakeAgonesSidecar sidecar{"203.0.113.7", game_port};
  std::unique_ptr<SdkPortInEnvironment> env;
  std::unique_ptr<ServerProcess> server;

  explicit AgonesServer(const std::string& tag, std::vector<std::string> more = {},
                        FakeAgonesSidecar::Observer observer = {}) {
    if (observer) sidecar.set_observer(std::move(observer));
    env = std::make_unique<SdkPortInEnvironment>(sidecar.port());
    server = std::make_unique<ServerProcess>(agones_flags(std::move(more)), tag, game_port);
  }
  bool ready_within(std::chrono::milliseconds timeout) {
    return eventually([&] { return !sidecar.accepted("/ready").empty(); }, timeout);
  }
};

}  // namespace

TEST(AgonesProcess, ReadyArrivesOnlyOnceTheGamePortIsListening) {
  const std::uint16_t game_port = free_udp_port();
  FakeAgonesSidecar sidecar("203.0.113.7", game_port);
  sidecar.set_observer([game_port](const std::string&, const std::string& path) {
    if (path != "/ready" && path != "/gameserver") return std::string();
    return std::string(udp_port_in_use(game_port) ? "listening" : "not listening");
  });
  SdkPortInEnvironment env(sidecar.port());
  ServerProcess server(agones_flags(), "agones-ready", game_port);

  ASSERT_TRUE(eventually([&] { return !sidecar.accepted("/ready").empty(); }, 15s)) << server.process().log();
  const auto readies = calls_to(sidecar.calls(), "POST", "/ready");
  for (const Call& c : readies) EXPECT_EQ(c.seen, "listening") << "Ready before the game port was bound";
  // It read its address (GET /gameserver) before saying anything else, and
  // before binding the game port: the probe above can tell the two apart.
  const auto calls = sidecar.calls();
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front().method, "GET");
  EXPECT_EQ(calls.front().path, "/gameserver");
  EXPECT_EQ(calls.front().seen, "not listening");
}

TEST(AgonesProcess, HealthPingsKeepComingAtTheirPeriod) {
  AgonesServer s("agones-health");
  ASSERT_TRUE(s.ready_within(15s)) << s.server->process().log();
  ASSERT_TRUE(eventually([&] { return s.sidecar.accepted("/health").size() >= 16; }, 15s))
      << s.sidecar.accepted("/health").size() << " Health pings";
  auto g = gaps(s.sidecar.accepted("/health"));
  std::sort(g.begin(), g.end());
  const auto median = g[g.size() / 2];
  // Scheduled from the tick loop (60 Hz): the period, plus up to a tick.
  EXPECT_GE(median, kHealthPeriod * 3 / 4);
  EXPECT_LE(median, kHealthPeriod * 3 / 2);
  // Far below what would make Agones call it unhealthy (the Fleet's 5 s period).
  EXPECT_LT(g.back(), 2s) << "a Health gap of " << g.back().count() << " ms";
}

TEST(AgonesProcess, CountersFollowPlayersWithInt64StringsAndLabelsNameRegionAndProtocol) {
  AgonesServer s("agones-counters");
  ASSERT_TRUE(s.ready_within(15s)) << s.server->process().log();
  TestClient a, b;
  ASSERT_TRUE(a.connect({"127.0.0.1", s.server->port()}));
  ASSERT_TRUE(a.join("counted-a"));
  ASSERT_TRUE(b.connect({"127.0.0.1", s.server->port()}));
  ASSERT_TRUE(b.join("counted-b"));
  ASSERT_TRUE(eventually([&] { return s.sidecar.counter("players").first == 2; }, 10s))
      << "players counter " << s.sidecar.counter("players").first;
  EXPECT_EQ(s.sidecar.counter("players").second, kMaxClients);
  EXPECT_TRUE(eventually([&] { return s.sidecar.counter("arenas").first == 1; }, 10s));
  EXPECT_EQ(s.sidecar.counter("arenas").second, kMaxClients / kArenaSize);
  a.disconnect();
  b.disconnect();
  EXPECT_TRUE(eventually([&] { return s.sidecar.counter("players").first == 0; }, 10s))
      << "players counter " << s.sidecar.counter("players").first << " after both left";

  // Every Counter update is a PATCH of count and/or capacity as int64 strings.
  const auto patches = calls_to(s.sidecar.calls(), "PATCH", "/v1beta1/counters/");
  ASSERT_FALSE(patches.empty());
  for (const Call& c : patches) {
    const Json body = Json::parse(c.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << c.body;
    EXPECT_FALSE(body.empty()) << c.path;
    for (const auto& [key, value] : body.items()) {
      EXPECT_TRUE(key == "count" || key == "capacity") << c.path << " " << c.body;
      EXPECT_TRUE(is_int64_string(value)) << c.path << " " << c.body;
    }
    EXPECT_EQ(c.status, 200) << c.path << " " << c.body;
  }
  // Labels: PUT {"key","value"}, both strings; the sidecar took every one.
  const auto labels = calls_to(s.sidecar.calls(), "PUT", "/metadata/label");
  ASSERT_EQ(labels.size(), 2u);
  for (const Call& c : labels) EXPECT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(s.sidecar.labels().at("region"), "eu-test");
  EXPECT_EQ(s.sidecar.labels().at("protocol-version"), std::to_string(proto::kProtocolVersion));
}

TEST(AgonesProcess, SigtermDrainsThenShutdownIsTheLastCallAndTheExitCodeIsZero) {
  AgonesServer s("agones-sigterm");
  ASSERT_TRUE(s.ready_within(15s)) << s.server->process().log();
  ASSERT_TRUE(eventually([&] { return !s.sidecar.accepted("/health").empty(); }, 10s));
  s.server->process().signal(SIGTERM);
  const auto exit_code = s.server->process().wait(30s);
  ASSERT_TRUE(exit_code.has_value()) << "did not exit after SIGTERM";
  EXPECT_EQ(*exit_code, 0) << s.server->process().log();
  const auto calls = s.sidecar.calls();
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back().method, "POST");
  EXPECT_EQ(calls.back().path, "/shutdown");
  EXPECT_EQ(calls.back().status, 200);
  EXPECT_EQ(calls_to(calls, "POST", "/shutdown").size(), 1u);
  EXPECT_NE(s.server->process().log().find("drain over"), std::string::npos);
}

TEST(AgonesProcess, ASidecarThatComesUpLateIsRetriedWithGrowingBackoffAndTheServerStillBecomesReady) {
  const std::uint16_t sdk_port = free_tcp_port();
  const std::uint16_t game_port = free_udp_port();
  SdkPortInEnvironment env(sdk_port);  // AGONES_SDK_HTTP_PORT alone turns Agones on (no --agones)
  ServerProcess server({"--agones-health-ms", "200"}, "agones-late", game_port);
  // Nothing listens on the sidecar's port yet (connection refused); then it
  // listens but answers 503 (not up yet), then it is up.
  FakeAgonesSidecar sidecar("203.0.113.7", game_port, sdk_port, /*up=*/false);
  ASSERT_NE(sidecar.port(), 0) << "the fake sidecar could not listen on " << sdk_port;
  const auto turned_away = [&] { return calls_to(sidecar.calls(), "GET", "/gameserver"); };
  ASSERT_TRUE(eventually([&] { return turned_away().size() >= 4; }, 30s)) << server.process().log();
  const auto reads = turned_away();
  for (const Call& c : reads) EXPECT_EQ(c.status, 503);
  const auto g = gaps(reads);
  for (const auto gap : g) EXPECT_GE(gap, 50ms) << "retried without waiting";
  // Backoff doubles up to a cap of 2 s: later retries wait longer than the first.
  EXPECT_TRUE(g.back() >= g.front() * 3 / 2 || g.front() >= 1800ms)
      << "gaps " << g.front().count() << " ms then " << g.back().count() << " ms";
  EXPECT_TRUE(server.process().running()) << server.process().log();

  sidecar.set_up(true);
  ASSERT_TRUE(eventually([&] { return !sidecar.accepted("/ready").empty(); }, 20s)) << server.process().log();
  EXPECT_TRUE(eventually([&] { return !sidecar.accepted("/health").empty(); }, 10s));
}

TEST(AgonesProcess, AStuckTickStopsHealthPingsWhileTheSdkThreadStillTalksToTheSidecar) {
  AgonesServer s("agones-stuck", {"--debug-stall-tick-after", "3"});
  ASSERT_TRUE(s.ready_within(15s)) << s.server->process().log();
  ASSERT_TRUE(eventually([&] { return s.sidecar.accepted("/health").size() >= 3; }, 10s));
  // The stall: /healthz turns 503 once no tick has completed for a few periods.
  ASSERT_TRUE(eventually([&] { return http_status(s.server->metrics_port(), "/healthz") == 503; }, 15s))
      << s.server->process().log();
  const std::size_t pings = s.sidecar.accepted("/health").size();
  const auto stuck_at = std::chrono::steady_clock::now();

  // The SDK thread lives on (it reads the GameServer every 2 s while idle):
  // the pings stop because the tick is stuck, not because the process is.
  ASSERT_TRUE(eventually(
      [&] {
        const auto reads = s.sidecar.accepted("/gameserver");
        return !reads.empty() && reads.back().at > stuck_at;
      },
      10s));
  EXPECT_FALSE(eventually([&] { return s.sidecar.accepted("/health").size() > pings; }, kHealthPeriod * 10))
      << "Health kept coming while the tick was stuck";
  EXPECT_NE(s.server->process().log().find("stalls until a signal"), std::string::npos);

  s.server->process().signal(SIGTERM);  // ends the stall; the drain runs as usual
  const auto exit_code = s.server->process().wait(30s);
  ASSERT_TRUE(exit_code.has_value());
  EXPECT_EQ(*exit_code, 0) << s.server->process().log();
  EXPECT_EQ(s.sidecar.calls().back().path, "/shutdown");
}
