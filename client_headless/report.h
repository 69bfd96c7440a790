#pragma once
// The load-test report: what a run measured, as JSON (the --report file)
// and as a human summary.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client_headless/fleet.h"
#include "client_headless/server_metrics.h"

namespace qbot::client {

struct RunInfo {
  std::string server;
  std::uint32_t bots_requested = 0;
  std::uint32_t tick_rate = 0;
  double duration_s = 0.0;
};

/// One second of a run (the progress line, the report's series, the plot).
struct Sample {
  double t = 0;                 // s since the start
  std::uint64_t started = 0;    // bots begun (ramp progress)
  std::uint64_t connected = 0;  // bots playing now
  std::uint64_t failed = 0;
  std::uint64_t errors = 0;  // failed + disconnects + undecodable snapshots, cumulative
  double snapshots_per_s = 0;
  double rtt_ms_p50 = 0;
  double rtt_ms_p99 = 0;
  double down_per_bot = 0;  // B/s per connected bot
  double up_per_bot = 0;
};
/// The sample for the second between two totals; `now` has the drained RTT window.
Sample sample_of(double t, const FleetTotals& prev, const FleetTotals& now);

std::string report_json(const RunInfo& run, const FleetTotals& totals, const std::vector<Sample>& series,
                        const std::optional<ServerFigures>& server);
std::string report_summary(const RunInfo& run, const FleetTotals& totals, const std::optional<ServerFigures>& server);

}  // namespace qbot::client
