// Input pacing through qbot-netsim (60 +- 15 ms each way): a client that
// stops sending for 200 ms and then resumes the documented way (one command
// per interval, time dilation from Snapshot.input_queue) loses nothing to the
// server's burst limit; the same stall resumed as a catch-up burst (what a
// naive client does) does lose commands, so the figures measure the pacing
// and not a lucky network.
#include <gtest/gtest.h>

#include "ports.h"
#include "process.h"
#include "server_process.h"
#include "wait.h"

using namespace qbot::test;

namespace {

struct PacingRun {
  std::string json;
  double server_burst_refusals = -1;  // copies refused by a full buffer (some come back)
  double server_lost = -1;            // commands never applied
  double server_late = -1;            // taken after their tick (folded or a tick late)
  double server_applied = -1;
};

/// 4 idle bots for 10 s through the relay; each stalls 200 ms, 4 s after its Welcome.
PacingRun stalled_bots_through_jitter(const std::string& tag, bool catch_up) {
  ServerProcess server({"--min-players", "2", "--countdown", "0"}, tag + "-server");
  const std::uint16_t relay_port = free_udp_port();
  Process netsim(QBOT_NETSIM_BIN,
                 {"--listen", "127.0.0.1:" + std::to_string(relay_port), "--target", server.endpoint(), "--delay-ms",
                  "60", "--jitter-ms", "15", "--seed", "11"},
                 temp_dir(tag + "-netsim") + "/netsim.log");
  EXPECT_TRUE(eventually([&] { return netsim.log().find("qbot-netsim") != std::string::npos; }));
  const std::string report = temp_dir(tag + "-report") + "/r.json";
  std::vector<std::string> args{"--server",
                                "127.0.0.1:" + std::to_string(relay_port),
                                "--bots",
                                "4",
                                "--mix",
                                "idle:100",
                                "--duration",
                                "10",
                                "--stall-ms",
                                "200",
                                "--stall-after-ms",
                                "4000",
                                "--report",
                                report};
  if (catch_up) args.emplace_back("--stall-catch-up");
  const auto run = run_program(QBOT_HEADLESS_BIN, args, tag + "-headless");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  PacingRun r;
  r.json = read_text(report);
  r.server_burst_refusals = server.metric("qbot_inputs_dropped_total{reason=\"burst\"}").value_or(-1);
  r.server_lost = server.metric("qbot_inputs_lost_total").value_or(-1);
  r.server_late = server.metric("qbot_inputs_late_total").value_or(-1);
  r.server_applied = server.metric("qbot_inputs_applied_total").value_or(-1);
  return r;
}

}  // namespace

// A client that paces the documented way loses no command to the burst
// limit through the relay's jitter and a 200 ms stall: commands lost for good
// (never applied), as the bots heard them and as the server counted them.
TEST(InputPacing, APacedClientLosesNoCommandThroughJitterAndAStall) {
  const PacingRun r = stalled_bots_through_jitter("pacing-paced", false);
  const std::string& json = r.json;
  ASSERT_EQ(json_number(json, "bots_connected"), 4.0) << json;
  EXPECT_EQ(json_number(json, "input_stalls"), 4.0) << "every bot really stalled: " << json;
  // At least 3 s of snapshots per bot (a loaded host slows the handshakes).
  EXPECT_GT(json_number(json, "snapshots_received").value_or(0), 4 * 60 * 3.0) << json;
  // Loopback alone measures ~1 ms; through the relay no round trip can be
  // shorter than 2 x (60 - 15) = 90 ms (CI measured p50 exactly 100).
  EXPECT_GE(json_number(json, "rtt_ms_p50").value_or(0), 90.0) << "the relay really added latency: " << json;
  EXPECT_EQ(json_number(json, "inputs_dropped"), 0.0) << "commands lost for good, as the bots heard: " << json;
  EXPECT_EQ(r.server_lost, 0.0) << "the server's own count agrees";
  std::printf(
      "paced: input_queue p50 %.0f p99 %.0f max %.0f, inputs_dropped %.0f, server: lost %.0f, refused copies %.0f\n",
      json_number(json, "input_queue_p50").value_or(-1), json_number(json, "input_queue_p99").value_or(-1),
      json_number(json, "input_queue_max").value_or(-1), json_number(json, "inputs_dropped").value_or(-1),
      r.server_lost, r.server_burst_refusals);
}

// Each command has its own tick (docs/PROTOCOL.md §9.1): a late one no
// longer pushes every later one back a tick, so the paced queue reads 0..2.
TEST(InputPacing, APacedClientKeepsTheInputQueueP99AtMostTwoThroughJitter) {
  const PacingRun r = stalled_bots_through_jitter("pacing-queue", false);
  ASSERT_EQ(json_number(r.json, "bots_connected"), 4.0) << r.json;
  EXPECT_LE(json_number(r.json, "input_queue_p99").value_or(99), 2.0) << r.json;
  EXPECT_EQ(r.server_lost, 0.0);
  std::printf("queue: input_queue p50 %.0f p99 %.0f max %.0f; server: late %.0f of %.0f applied, lost %.0f\n",
              json_number(r.json, "input_queue_p50").value_or(-1), json_number(r.json, "input_queue_p99").value_or(-1),
              json_number(r.json, "input_queue_max").value_or(-1), r.server_late, r.server_applied, r.server_lost);
}

TEST(InputPacing, TheSameStallResumedAsACatchUpBurstLosesCommandsToTheBurstLimit) {
  const PacingRun r = stalled_bots_through_jitter("pacing-burst", true);
  const std::string& json = r.json;
  ASSERT_EQ(json_number(json, "bots_connected"), 4.0) << json;
  EXPECT_EQ(json_number(json, "input_stalls"), 4.0) << json;
  // About 13 commands sent at once per bot reach a buffer of 3 within the
  // relay's 30 ms spread (the server takes at most 2 more meanwhile), and
  // the next paced packet brings back only its window of 4: at least 4 per
  // bot are never applied.
  const double heard = json_number(json, "inputs_dropped").value_or(-1);
  EXPECT_GE(heard, 4 * 4.0) << json;
  // The stall was 6 s before the end: every bot has heard its final count.
  EXPECT_EQ(heard, r.server_lost) << "the bots hear the server's count";
  EXPECT_GT(r.server_burst_refusals, r.server_lost) << "refused copies include ones redundancy brought back";
  std::printf("catch-up: inputs_dropped %.0f, server: lost %.0f, refused copies %.0f\n", heard, r.server_lost,
              r.server_burst_refusals);
}
