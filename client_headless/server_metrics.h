#pragma once
// Reads the figures a host judges a run by from qbot-server's /metrics
// (Prometheus text): tick time quantiles from the histogram buckets, tick
// overruns, CPU seconds, bytes sent. Two scrapes, at the start and the end
// of a run, give the figures for the run alone.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace qbot::client {

struct ServerSample {
  static constexpr std::size_t kMaxBuckets = 64;        // qbot-server exports ~a dozen
  std::vector<std::pair<double, double>> tick_buckets;  // (upper bound s, cumulative count), ascending
  double ticks = 0;
  double overruns = 0;
  double cpu_seconds = 0;
  double bytes_out = 0;
  double tick_max_s = 0;
};

/// Errors name what is missing or wrong: any unparsable number, a counter
/// we read that is negative or not finite, more than kMaxBuckets buckets, or
/// buckets that do not form a histogram (le ascending to +Inf, counts not
/// decreasing). Hostile text is quoted and cut in messages.
core::Result<ServerSample, std::string> parse_server_metrics(const std::string& text);

struct ServerFigures {
  double tick_ms_p50 = 0;
  double tick_ms_p99 = 0;
  double tick_ms_max = 0;  // since the server started
  double overruns = 0;
  double ticks = 0;
  double cpu_s = 0;
  double bytes_out = 0;
};

/// What happened between two scrapes (histogram_quantile-style linear
/// interpolation inside the bucket).
ServerFigures server_figures(const ServerSample& before, const ServerSample& after);

}  // namespace qbot::client
