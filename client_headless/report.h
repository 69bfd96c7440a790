#pragma once
// The load-test report: what a run measured, as JSON (the --report file)
// and as a human summary.
#include <cstdint>
#include <string>

#include "client_headless/fleet.h"

namespace qbot::client {

struct RunInfo {
  std::string server;
  std::uint32_t bots_requested = 0;
  std::uint32_t tick_rate = 0;
  double duration_s = 0.0;
};

std::string report_json(const RunInfo& run, const FleetTotals& totals);
std::string report_summary(const RunInfo& run, const FleetTotals& totals);

}  // namespace qbot::client
