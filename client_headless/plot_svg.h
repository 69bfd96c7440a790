#pragma once
// A self-contained SVG picture of a run: connected bots (and ramp
// progress), RTT p50/p99, and bandwidth per bot over time, stacked, for a
// host to look at (qbot-headless --plot run.svg). No dependencies.
#include <string>
#include <vector>

#include "client_headless/report.h"

namespace qbot::client {

std::string plot_svg(const std::vector<Sample>& series, const RunInfo& run);

}  // namespace qbot::client
