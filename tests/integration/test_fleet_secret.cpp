// Servers sharing a registry must share a token key: tried as a new user
// would, two servers on one Redis without --token-secret.
#include <gtest/gtest.h>

#include "ports.h"
#include "process.h"
#include "redis_server.h"
#include "server_process.h"
#include "wait.h"

using namespace qbot::test;
using namespace std::chrono_literals;

namespace {
std::vector<std::string> flags(const RedisServer& redis, const std::string& id, const std::string& secret) {
  std::vector<std::string> f{"--redis",        redis.url(), "--server-id",       id,
                             "--heartbeat-ms", "500",       "--registry-ttl-ms", "3000"};
  if (!secret.empty()) f.insert(f.end(), {"--token-secret", secret});
  return f;
}

RunResult second_server(const RedisServer& redis, const std::string& secret) {
  return run_program(QBOT_SERVER_BIN,
                     {"--bind", "127.0.0.1", "--port", std::to_string(free_udp_port()), "--metrics-port",
                      std::to_string(free_tcp_port()), "--redis", redis.url(), "--server-id", "second", "--journal-dir",
                      temp_dir("fleet-second") + "/journal", "--token-secret", secret},
                     "fleet-second", 20s);
}
}  // namespace

TEST(FleetSecret, ASecondServerWithoutTheFleetSecretRefusesToStartNamingTheFix) {
  RedisServer redis;
  ServerProcess first(flags(redis, "first", ""), "fleet-first");  // a random key of its own
  ASSERT_TRUE(eventually([&] { return redis.command({"EXISTS", "qbot:server:first"}) == "1"; }, 10s));
  const RunResult second =
      run_program(QBOT_SERVER_BIN,
                  {"--bind", "127.0.0.1", "--port", std::to_string(free_udp_port()), "--metrics-port",
                   std::to_string(free_tcp_port()), "--redis", redis.url(), "--server-id", "second", "--journal-dir",
                   temp_dir("fleet-second-random") + "/journal"},
                  "fleet-second-random", 20s);
  EXPECT_EQ(second.exit_code, 2) << second.output;
  EXPECT_NE(second.output.find("refusing to start"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("'first'"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("the same --token-secret"), std::string::npos) << second.output;
  EXPECT_EQ(redis.command({"EXISTS", "qbot:server:second"}), "0") << "a refused server must not register";
  // With a secret of its own the second server still holds another key than the first.
  EXPECT_EQ(second_server(redis, "some-secret").exit_code, 2);
}

TEST(FleetSecret, ServersSharingTheSecretStartTogether) {
  RedisServer redis;
  ServerProcess first(flags(redis, "first", "shared-fleet-secret"), "fleet-shared-first");
  ASSERT_TRUE(eventually([&] { return redis.command({"EXISTS", "qbot:server:first"}) == "1"; }, 10s));
  const std::string fp = redis.command({"HGET", "qbot:server:first", "key_fp"});
  EXPECT_EQ(fp.size(), 16u) << "the registry entry carries the key fingerprint, got '" << fp << "'";
  EXPECT_EQ(fp.find("shared"), std::string::npos);
  ServerProcess second(flags(redis, "second", "shared-fleet-secret"), "fleet-shared-second");
  EXPECT_TRUE(eventually([&] { return redis.command({"EXISTS", "qbot:server:second"}) == "1"; }, 10s));
  EXPECT_EQ(redis.command({"HGET", "qbot:server:second", "key_fp"}), fp);
}
