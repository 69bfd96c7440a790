// qbot-server as a host runs it: metrics for Prometheus, registry in Redis,
// config from a file, graceful shutdown on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <sched.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <vector>

#include "process.h"
#include "proto/version.h"
#include "redis_server.h"
#include "server_process.h"
#include "test_client.h"
#include "wait.h"

using namespace qbot;
using namespace qbot::test;
using namespace std::chrono_literals;

TEST(ServerProcess, MetricsPassPromtoolAndCarryTheAdvertisedFamilies) {
  ServerProcess server({}, "metrics");
  TestClient c;
  ASSERT_TRUE(c.connect({"127.0.0.1", server.port()}));
  ASSERT_TRUE(c.join("watcher"));
  ASSERT_TRUE(c.receive_a<proto::Snapshot>(2s));
  ASSERT_TRUE(eventually([&] { return server.metric("qbot_players").value_or(0) == 1; }, 5s));

  const std::string text = server.scrape();
  const std::string file = temp_dir("promtool") + "/metrics.txt";
  std::ofstream(file) << text;
  const auto check = run_program(QBOT_PROMTOOL_BIN, {"check", "metrics"}, "promtool", 60s, file);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output, "") << "promtool lint findings:\n" << check.output;

  for (const char* family :
       {"qbot_tick_duration_seconds_bucket", "qbot_ticks_total", "qbot_tick_overruns_total", "qbot_clients_connected",
        "qbot_arenas", "qbot_packets_total", "qbot_net_bytes_total", "qbot_net_datagrams_total",
        "qbot_decode_errors_total", "qbot_rejects_total", "qbot_net_malformed_datagrams_total"}) {
    EXPECT_NE(text.find(family), std::string::npos) << family;
  }
  EXPECT_EQ(server.metric("qbot_arenas"), 1.0);
  EXPECT_GT(server.metric("qbot_net_bytes_total{direction=\"out\"}").value_or(0), 0.0);
}

TEST(ServerProcess, RegistersInRedisWithTtlAndDeregistersOnSigterm) {
  RedisServer redis;
  ServerProcess server({"--redis", redis.url(), "--server-id", "it-reg-1", "--region", "eu-west", "--heartbeat-ms",
                        "200", "--registry-ttl-ms", "1500"},
                       "registry");
  ASSERT_TRUE(eventually([&] {
    return redis.command({"HGET", "qbot:server:it-reg-1", "port"}) == std::to_string(server.port());
  }));
  EXPECT_EQ(redis.command({"HGET", "qbot:server:it-reg-1", "region"}), "eu-west");
  EXPECT_EQ(redis.command({"HGET", "qbot:server:it-reg-1", "capacity"}), "1024");
  const int ttl = std::stoi(redis.command({"PTTL", "qbot:server:it-reg-1"}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 1500);
  EXPECT_NE(redis.command({"ZSCORE", "qbot:servers", "it-reg-1"}), "(nil)");
  // heartbeat_ms is Redis's clock (TIME) at the last heartbeat: never ahead
  // of it, and behind it by at most a heartbeat period (+ slack for polling).
  const auto redis_now_ms = [&] {
    const std::string t = redis.command({"TIME"});  // "<seconds> <microseconds>"
    return std::stoll(t.substr(0, t.find(' '))) * 1000 + std::stoll(t.substr(t.find(' ') + 1)) / 1000;
  };
  const auto heartbeat_ms = [&] { return std::stoll(redis.command({"HGET", "qbot:server:it-reg-1", "heartbeat_ms"})); };
  const long long first = heartbeat_ms();
  const long long now = redis_now_ms();
  EXPECT_LE(first, now);
  EXPECT_GE(first, now - 1500) << "older than the TTL: the entry would have expired";
  // The heartbeat keeps the entry alive past one TTL: a heartbeat stamped
  // more than a TTL after the first, and the entry still there.
  ASSERT_TRUE(eventually([&] { return heartbeat_ms() > first + 1500; }, 10s));
  EXPECT_EQ(redis.command({"EXISTS", "qbot:server:it-reg-1"}), "1");

  server.process().signal(SIGTERM);
  ASSERT_EQ(server.process().wait(10s), 0) << server.process().log();
  EXPECT_EQ(redis.command({"EXISTS", "qbot:server:it-reg-1"}), "0");
  EXPECT_EQ(redis.command({"ZSCORE", "qbot:servers", "it-reg-1"}), "(nil)");
}

TEST(ServerProcess, AKilledServersRegistryEntryExpires) {
  RedisServer redis;
  ServerProcess server({"--redis", redis.url(), "--server-id", "it-dies", "--heartbeat-ms", "200", "--registry-ttl-ms",
                        "1000"},
                       "registry-kill");
  ASSERT_TRUE(eventually([&] { return redis.command({"EXISTS", "qbot:server:it-dies"}) == "1"; }));
  server.process().signal(SIGKILL);
  server.process().wait(5s);
  EXPECT_TRUE(eventually([&] { return redis.command({"EXISTS", "qbot:server:it-dies"}) == "0"; }, 4s));
}

TEST(ServerProcess, SigtermTellsClientsAndExitsCleanly) {
  ServerProcess server({}, "sigterm");
  TestClient c;
  ASSERT_TRUE(c.connect({"127.0.0.1", server.port()}));
  ASSERT_TRUE(c.join("leaver"));
  server.process().signal(SIGTERM);
  auto r = c.receive_a<proto::Reject>(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, proto::RejectReason::ShuttingDown);
  EXPECT_EQ(server.process().wait(10s), 0);
  EXPECT_NE(server.process().log().find("shutdown complete"), std::string::npos);
}

TEST(ServerProcess, ReadsAConfigFileAndEnvironment) {
  // The file sets the tick rate and the arena size, the environment the
  // region; each is read back from what the server does with it.
  RedisServer redis;
  const std::string dir = temp_dir("config");
  std::ofstream(dir + "/qbot.toml") << "tick-rate = 30\narena-size = 4\n";
  ::setenv("QBOT_REGION", "from-env", 1);
  ServerProcess server({"--config", dir + "/qbot.toml", "--redis", redis.url(), "--server-id", "it-cfg"}, "configfile");
  ::unsetenv("QBOT_REGION");
  ASSERT_TRUE(eventually([&] { return redis.command({"EXISTS", "qbot:server:it-cfg"}) == "1"; }));
  EXPECT_EQ(redis.command({"HGET", "qbot:server:it-cfg", "region"}), "from-env");

  // Four players fill an arena of four; the fifth gets a new arena.
  std::vector<std::unique_ptr<TestClient>> clients;
  std::vector<std::uint32_t> arenas;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(std::make_unique<TestClient>());
    ASSERT_TRUE(clients.back()->connect({"127.0.0.1", server.port()}));
    auto w = clients.back()->join("cfg-" + std::to_string(i));
    ASSERT_TRUE(w) << "player " << i;
    EXPECT_EQ(w->tick_rate, 30);
    arenas.push_back(w->arena_id);
  }
  EXPECT_EQ(std::count(arenas.begin(), arenas.end(), arenas[0]), 4) << "arena-size = 4 from the file";
  EXPECT_NE(arenas[4], arenas[0]);
}

TEST(ServerProcess, InvalidConfigFailsAtStartupNamingTheField) {
  const auto run = run_program(QBOT_SERVER_BIN, {"--tick-rate", "5", "--metrics-port", "0"}, "badcfg", 10s);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.output.find("--tick-rate"), std::string::npos) << run.output;
  const auto bad_redis =
      run_program(QBOT_SERVER_BIN, {"--redis", "redis://host:notaport", "--metrics-port", "0"}, "badredis", 10s);
  EXPECT_EQ(bad_redis.exit_code, 2);
  EXPECT_NE(bad_redis.output.find("--redis"), std::string::npos) << bad_redis.output;
}

namespace {
/// Scheduling policy of each of a process's threads (0 = SCHED_OTHER,
/// 1 = SCHED_FIFO), from /proc/<pid>/task/<tid>/stat field 41.
std::vector<int> thread_policies(pid_t pid) {
  std::vector<int> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // the name may hold spaces
    std::vector<std::string> f{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
    if (f.size() > 38) out.push_back(std::stoi(f[38]));  // field 41, counted from field 3
  }
  return out;
}
}  // namespace

TEST(ServerProcess, RealtimePriorityPutsTheTickThreadAndWorkersUnderSchedFifo) {
  ServerProcess server({"--workers", "2", "--realtime-priority", "5"}, "realtime");
  const std::string granted = "SCHED_FIFO priority 5";
  const std::string refused = "--realtime-priority 5:";
  ASSERT_TRUE(eventually(
      [&] {
        const std::string log = server.process().log();
        return log.find(granted) != std::string::npos || log.find(refused) != std::string::npos;
      },
      5s))
      << server.process().log();
  const auto policies = thread_policies(server.process().pid());
  const auto fifo = std::count(policies.begin(), policies.end(), SCHED_FIFO);
  // Still a working server, granted or not.
  TestClient c;
  ASSERT_TRUE(c.connect({"127.0.0.1", server.port()}));
  ASSERT_TRUE(c.join("rt"));
  EXPECT_TRUE(c.receive_a<proto::Snapshot>(2s));
  const std::string log = server.process().log();
  if (log.find(granted) == std::string::npos) {
    EXPECT_EQ(fifo, 0) << "refused: nothing half-applied";
    const auto at = log.find(refused);
    GTEST_SKIP() << "the OS refused SCHED_FIFO, so it cannot be checked here: "
                 << log.substr(at, log.find('\n', at) - at);
  }
  // The tick thread and its one worker; the network, store, metrics and
  // matchmaker threads stay ordinary (they were started first).
  EXPECT_EQ(fifo, 2) << policies.size() << " threads";
  EXPECT_GT(policies.size(), 3u);
}

TEST(ServerProcess, AnInstalledServerFindsItsContentUnderItsPrefix) {
  // What a host (or a container image) does: cmake --install, then run the
  // binary from the prefix, far from the source tree.
  const std::string prefix = temp_dir("install") + "/opt/qbot";
  const auto install = run_program(QBOT_CMAKE_BIN, {"--install", QBOT_BUILD_DIR, "--prefix", prefix}, "install", 120s);
  ASSERT_EQ(install.exit_code, 0) << install.output;
  for (const char* file : {"/bin/qbot-server", "/bin/qbot-headless", "/share/qbot-arena/catalog.json",
                           "/share/qbot-arena/schemas/messages.fbs"}) {
    EXPECT_TRUE(std::filesystem::exists(prefix + file)) << file;
  }
  EXPECT_FALSE(std::filesystem::is_empty(prefix + "/share/qbot-arena/maps"));

  const std::vector<std::string> args{"--bind",         "127.0.0.1", "--port",        "0",
                                      "--metrics-port", "0",         "--journal-dir", prefix + "/journal"};
  {
    Process server(prefix + "/bin/qbot-server", args, prefix + "/server.log");
    ASSERT_TRUE(eventually([&] { return server.log().find("listening on udp") != std::string::npos; }, 10s))
        << server.log();
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(5s), 0);
  }
  // The installed catalog is the one it reads: break it and the server says
  // so, naming the installed file.
  std::ofstream(prefix + "/share/qbot-arena/catalog.json") << "{ not json";
  Process broken(prefix + "/bin/qbot-server", args, prefix + "/broken.log");
  EXPECT_NE(broken.wait(10s).value_or(0), 0);
  EXPECT_NE(broken.log().find(prefix + "/share/qbot-arena/catalog.json"), std::string::npos) << broken.log();
}
