// Acceptance: qbot-server + qbot-headless --bots 32 --duration 10.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "process.h"
#include "server_process.h"

using namespace qbot::test;

TEST(HeadlessLoad, ThirtyTwoBotsConnectAndReceiveNinetyPercentOfSnapshots) {
  ServerProcess server({"--tick-rate", "60"}, "load32");
  const std::string report = temp_dir("report") + "/r.json";
  const auto run =
      run_program(QBOT_HEADLESS_BIN,
                  {"--server", server.endpoint(), "--bots", "32", "--duration", "10", "--report", report}, "headless");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string json = read_text(report);
  ASSERT_FALSE(json.empty());
  EXPECT_EQ(json_number(json, "bots_requested"), 32.0);
  EXPECT_EQ(json_number(json, "bots_connected"), 32.0);
  EXPECT_EQ(json_number(json, "bots_failed"), 0.0);
  const double snapshots = json_number(json, "snapshots_received").value_or(0);
  EXPECT_GE(snapshots, 0.9 * 32 * 60 * 10) << json;
  for (const char* key :
       {"rtt_ms_p50", "rtt_ms_p99", "bytes_down_per_bot_per_s", "bytes_up_per_bot_per_s", "duration_s"}) {
    EXPECT_TRUE(json_number(json, key).has_value()) << key;
  }
  EXPECT_NE(json.find("\"rejects\":{"), std::string::npos);
  EXPECT_GT(json_number(json, "bytes_down_per_bot_per_s").value_or(0), 0.0);
  // The server saw the same players.
  EXPECT_GE(server.metric("qbot_inputs_applied_total").value_or(0), 0.9 * 32 * 60 * 10);
  EXPECT_EQ(server.metric("qbot_ticks_skipped_total"), 0.0);
}

TEST(HeadlessLoad, ExitCodeIsNonZeroWhenBotsCannotConnect) {
  // Nobody listens on this port: every bot fails its handshake.
  const auto run =
      run_program(QBOT_HEADLESS_BIN,
                  {"--server", "127.0.0.1:9", "--bots", "3", "--duration", "2", "--handshake-timeout-ms", "500"},
                  "headless-fail");
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("3 of 3 bots failed"), std::string::npos) << run.output;
}
