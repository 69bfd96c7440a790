// Acceptance (#5): bandwidth of delta snapshots against --full-snapshots in
// the same run, and a match through qbot-netsim with loss and latency.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ports.h"
#include "process.h"
#include "server_process.h"
#include "wait.h"

using namespace qbot::test;

namespace {

/// 16 fighting bots (two 8-bot arenas, 60 Hz) for `seconds`; the JSON report.
std::string fighting_bots(const std::vector<std::string>& server_flags, const std::string& tag, int seconds) {
  ServerProcess server(server_flags, tag);
  const std::string report = temp_dir(tag) + "/r.json";
  const auto run = run_program(QBOT_HEADLESS_BIN,
                               {"--server", server.endpoint(), "--bots", "16", "--duration", std::to_string(seconds),
                                "--report", report},
                               tag + "-headless");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  return read_text(report);
}

}  // namespace

TEST(Netcode, DeltaSnapshotsStayUnderSixKilobytesAndThreeTimesUnderFull) {
  const std::string delta = fighting_bots({"--min-players", "2", "--countdown", "0"}, "bw-delta", 12);
  const std::string full = fighting_bots({"--min-players", "2", "--countdown", "0", "--full-snapshots"}, "bw-full", 12);
  const double d = json_number(delta, "bytes_down_per_bot_per_s").value_or(1e9);
  const double f = json_number(full, "bytes_down_per_bot_per_s").value_or(0);
  EXPECT_GT(json_number(delta, "kills").value_or(0) + json_number(full, "kills").value_or(0), 0.0)
      << "the bots must actually fight for this to measure anything";
  EXPECT_LE(d, 6000.0) << delta;
  EXPECT_GE(f / d, 3.0) << "delta " << d << " B/s vs full " << f << " B/s";
  EXPECT_EQ(json_number(delta, "snapshot_decode_errors"), 0.0);
  EXPECT_EQ(json_number(full, "snapshot_decode_errors"), 0.0);
}

TEST(Netcode, SixteenBotsFinishAMatchThroughLossAndLatency) {
  ServerProcess server({"--arena-size", "16", "--min-players", "16", "--countdown", "1", "--match-duration", "12",
                        "--score-limit", "0", "--results-time", "60"},
                       "netsim-server");
  const std::uint16_t relay_port = free_udp_port();
  Process netsim(QBOT_NETSIM_BIN,
                 {"--listen", "127.0.0.1:" + std::to_string(relay_port), "--target", server.endpoint(), "--loss", "0.1",
                  "--delay-ms", "60", "--jitter-ms", "15", "--seed", "7"},
                 temp_dir("netsim") + "/netsim.log");
  ASSERT_TRUE(eventually([&] { return netsim.log().find("qbot-netsim") != std::string::npos; }));

  const std::string report = temp_dir("netsim-report") + "/r.json";
  // 30 s: through 10 % loss the last of 16 handshakes can take ~8 s (ENet
  // retransmits a lost connect with backoff); the battle (1 s countdown +
  // 12 s) must still end inside the run.
  const auto run = run_program(QBOT_HEADLESS_BIN,
                               {"--server", "127.0.0.1:" + std::to_string(relay_port), "--bots", "16", "--duration",
                                "30", "--report", report},
                               "netsim-headless");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string json = read_text(report);
  EXPECT_EQ(json_number(json, "bots_connected"), 16.0) << json;
  EXPECT_EQ(json_number(json, "disconnects"), 0.0) << json;
  EXPECT_EQ(json_number(json, "matches_ended"), 16.0) << "every bot got the result: " << json;
  EXPECT_EQ(json_number(json, "match_results_duplicated"), 0.0) << "and only once: " << json;
  EXPECT_EQ(server.metric("qbot_matches_finished_total"), 1.0);
  // Prediction stays close: documented in the README (about 0.3 m at p99).
  EXPECT_LT(json_number(json, "prediction_error_p99").value_or(99), 1.0) << json;
  // Loopback alone measures ~1 ms; through the relay no round trip can be
  // shorter than 2 x (60 - 15) = 90 ms.
  EXPECT_GE(json_number(json, "rtt_ms_p50").value_or(0), 90.0) << "the relay really added latency: " << json;
}
