// The --report JSON: every key, in order, with its JSON type, on one compact
// line (ops/bench.sh and ops/bandwidth.sh read it with sed).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "client_headless/plot_svg.h"
#include "client_headless/report.h"

using namespace qbot::client;

namespace {

FleetTotals some_totals() {
  FleetTotals t;
  t.welcomed = 30;
  t.failed = 2;
  t.snapshots = 6000;
  t.kills = 7;
  t.bytes_down = 3'000'000;
  t.rejects[static_cast<std::size_t>(qbot::proto::RejectReason::ServerFull)] = 2;
  t.rtt_ms_total.record(20);
  t.input_queue.record(1);
  t.input_queue.record(2);
  t.inputs_dropped = 5;
  t.input_stalls = 3;
  return t;
}

const std::vector<std::string> kTopKeys = {"server",
                                           "bots_requested",
                                           "bots_connected",
                                           "bots_failed",
                                           "duration_s",
                                           "tick_rate",
                                           "snapshots_received",
                                           "snapshots_per_bot_per_s",
                                           "snapshot_decode_errors",
                                           "snapshot_baseline_missing",
                                           "inputs_sent",
                                           "kills",
                                           "matches_ended",
                                           "match_results_duplicated",
                                           "prediction_error_p50",
                                           "prediction_error_p99",
                                           "snapshot_gap_ms_p50",
                                           "snapshot_gap_ms_p99",
                                           "disconnects",
                                           "rtt_ms_p50",
                                           "rtt_ms_p99",
                                           "rtt_ms_max",
                                           "bytes_down_per_bot_per_s",
                                           "bytes_up_per_bot_per_s",
                                           "churn_rejoins",
                                           "matches_played",
                                           "queue_refusals",
                                           "bots_recreated",
                                           "front_door_losses",
                                           "time_to_match_ms_p50",
                                           "time_to_match_ms_p99",
                                           "estimated_wait_ms_p50",
                                           "input_queue_p50",
                                           "input_queue_p99",
                                           "input_queue_max",
                                           "inputs_dropped",
                                           "input_stalls",
                                           "rejects"};
const std::vector<std::string> kServerKeys = {"server_tick_ms_p50", "server_tick_ms_p99",
                                              "server_tick_ms_max", "server_tick_overruns",
                                              "server_ticks",       "server_cpu_s",
                                              "server_cpu_percent", "server_bytes_out_per_client_per_s"};

std::vector<std::string> keys_of(const nlohmann::ordered_json& j) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  return keys;
}

}  // namespace

TEST(Report, HasEveryKeyInOrderWithItsTypeOnOneCompactLine) {
  const RunInfo run{"127.0.0.1:7777", 32, 60, 10.0};
  Sample s;
  s.t = 1.0;
  s.connected = 30;
  s.rtt_ms_p50 = 12.5;
  const std::string text = report_json(run, some_totals(), {s, s}, std::nullopt);
  ASSERT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "one line";
  EXPECT_EQ(text.find(' '), std::string::npos) << "compact: no spaces";

  const auto j = nlohmann::ordered_json::parse(text);
  std::vector<std::string> want = kTopKeys;
  want.push_back("series");
  EXPECT_EQ(keys_of(j), want);
  EXPECT_TRUE(j["server"].is_string());
  for (const char* k :
       {"bots_requested", "bots_connected", "bots_failed", "tick_rate", "snapshots_received", "kills"}) {
    EXPECT_TRUE(j[k].is_number_unsigned()) << k;
  }
  for (const char* k : {"duration_s", "snapshots_per_bot_per_s", "prediction_error_p99", "rtt_ms_max"}) {
    EXPECT_TRUE(j[k].is_number_float()) << k;
  }
  EXPECT_EQ(j["bots_connected"], 30u);
  EXPECT_DOUBLE_EQ(j["snapshots_per_bot_per_s"].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(j["bytes_down_per_bot_per_s"].get<double>(), 10000.0);
  EXPECT_EQ(j["rejects"], nlohmann::ordered_json({{"server_full", 2}}));
  EXPECT_EQ(j["inputs_dropped"], 5u);
  EXPECT_EQ(j["input_stalls"], 3u);
  EXPECT_DOUBLE_EQ(j["input_queue_max"].get<double>(), 2.0);
  EXPECT_TRUE(j["input_queue_p99"].is_number_float());
  ASSERT_EQ(j["series"].size(), 2u);
  EXPECT_EQ(keys_of(j["series"][0]),
            (std::vector<std::string>{"t", "started", "connected", "failed", "errors", "snapshots_per_s", "rtt_ms_p50",
                                      "rtt_ms_p99", "down_bytes_per_bot_per_s", "up_bytes_per_bot_per_s"}));
  EXPECT_DOUBLE_EQ(j["series"][0]["rtt_ms_p50"].get<double>(), 12.5);

  // What ops/bench.sh's sed expression sees.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex("\"kills\":([0-9.e+-]*)")));
  EXPECT_EQ(m[1], "7");
}

TEST(Report, ServerFiguresFollowTheRejectsWhenScraped) {
  const RunInfo run{"127.0.0.1:7777", 32, 60, 10.0};
  ServerFigures f;
  f.cpu_s = 5.0;
  f.bytes_out = 3e6;
  const auto j = nlohmann::ordered_json::parse(report_json(run, some_totals(), {}, f));
  std::vector<std::string> want = kTopKeys;
  want.insert(want.end(), kServerKeys.begin(), kServerKeys.end());
  want.push_back("series");
  EXPECT_EQ(keys_of(j), want);
  EXPECT_DOUBLE_EQ(j["server_cpu_percent"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(j["server_bytes_out_per_client_per_s"].get<double>(), 10000.0);
  EXPECT_TRUE(j["series"].is_array());
}

TEST(Report, NonFiniteNumbersAreNullAndBadUtf8DoesNotThrow) {
  const RunInfo run{std::string("host\xff:1"), 1, 60, 0.0};
  ServerFigures f;
  f.tick_ms_p50 = std::nan("");
  const auto j = nlohmann::ordered_json::parse(report_json(run, FleetTotals{}, {}, f));
  EXPECT_TRUE(j["server_tick_ms_p50"].is_null());
  EXPECT_EQ(j["server"], "host\xEF\xBF\xBD:1");
}

TEST(Report, SummaryKeepsALongServerListWhole) {
  std::string servers;
  for (int i = 0; i < 100; ++i) servers += (i ? "," : "") + std::string("10.0.0.") + std::to_string(i) + ":7777";
  const RunInfo run{servers, 32, 60, 10.0};
  const std::string summary = report_summary(run, some_totals(), std::nullopt);
  EXPECT_EQ(summary.rfind("qbot-headless summary (" + servers + ", 10.0 s)\n", 0), 0u);
  EXPECT_NE(summary.find("  bots            30/32 connected, 2 failed, 0 disconnected\n"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("  rejected        server_full: 2\n"), std::string::npos) << summary;
}

TEST(Report, PlotEscapesTheServerString) {
  const RunInfo run{"<script>&'\"", 1, 60, 1.0};
  const std::string svg = plot_svg({}, run);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("bots on &lt;script&gt;&amp;&apos;&quot;</text>"), std::string::npos);
}
