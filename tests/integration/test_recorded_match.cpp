// Acceptance (#3): a full recorded 16-bot match through the real server with
// headless bots, then `qbot-replay verify` on the recording.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "process.h"
#include "server_process.h"
#include "wait.h"

using namespace qbot::test;
namespace fs = std::filesystem;

TEST(RecordedMatch, SixteenHeadlessBotsPlayAMatchThatReplaysBitForBit) {
  const std::string records = temp_dir("records");
  ServerProcess server({"--arena-size", "16", "--min-players", "16", "--countdown", "1", "--match-duration", "12",
                        "--score-limit", "0", "--results-time", "60", "--record-dir", records},
                       "recorded");
  const std::string report = temp_dir("report") + "/r.json";
  const auto run = run_program(QBOT_HEADLESS_BIN,
                               {"--server", server.endpoint(), "--bots", "16", "--duration", "18", "--report", report},
                               "headless16");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string json = read_text(report);
  EXPECT_EQ(json_number(json, "bots_connected"), 16.0) << json;
  EXPECT_EQ(json_number(json, "matches_ended"), 16.0) << "every bot saw the match end: " << json;
  EXPECT_GT(json_number(json, "kills").value_or(0), 0.0) << "bots seek and shoot: " << json;

  // The replay is written by the server's side thread: poll for it.
  fs::path replay;
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& e : fs::directory_iterator(records)) {
          if (e.path().extension() == ".qreplay") replay = e.path();
        }
        return !replay.empty();
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(server.metric("qbot_replays_written_total"), 1.0);
  EXPECT_EQ(server.metric("qbot_matches_finished_total"), 1.0);

  const auto verify = run_program(QBOT_REPLAY_BIN, {"verify", replay.string()}, "replay-verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("OK:"), std::string::npos) << verify.output;

  const auto info = run_program(QBOT_REPLAY_BIN, {"info", replay.string()}, "replay-info");
  EXPECT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("time limit"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("bot15"), std::string::npos) << "all 16 players listed: " << info.output;

  // A damaged (truncated) file is refused with a reason, not replayed.
  std::string bytes = read_text(replay.string());
  bytes.resize(bytes.size() * 2 / 3);
  const std::string damaged = temp_dir("damaged") + "/x.qreplay";
  std::ofstream(damaged, std::ios::binary) << bytes;
  const auto bad = run_program(QBOT_REPLAY_BIN, {"verify", damaged}, "replay-damaged");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("corrupt"), std::string::npos) << bad.output;
}
