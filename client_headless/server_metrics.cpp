#include "client_headless/server_metrics.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/quoted.h"

namespace qbot::client {
namespace {

constexpr std::size_t kShownBytes = 120;  // of a hostile line in an error message

bool parse_double(std::string_view s, double& out) {
  if (s == "+Inf") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

double quantile(const std::vector<std::pair<double, double>>& before,
                const std::vector<std::pair<double, double>>& after, double q) {
  if (after.empty()) return 0;
  std::vector<std::pair<double, double>> d = after;
  if (before.size() == after.size()) {
    for (std::size_t i = 0; i < d.size(); ++i) d[i].second -= before[i].second;
  }
  const double total = d.back().second;
  if (total <= 0) return 0;
  const double rank = q * total;
  double lower = 0, below = 0;
  for (const auto& [le, count] : d) {
    if (count >= rank) {
      if (std::isinf(le)) return lower;  // beyond the last finite bucket
      const double in_bucket = count - below;
      return in_bucket > 0 ? lower + (le - lower) * (rank - below) / in_bucket : le;
    }
    lower = le;
    below = count;
  }
  return lower;
}

}  // namespace

namespace {

/// The histogram must be one: bounds ascending up to +Inf, counts
/// cumulative (never decreasing), every count finite and >= 0.
core::Result<bool, std::string> check_buckets(const std::vector<std::pair<double, double>>& buckets) {
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const auto [le, count] = buckets[i];
    const std::string at = "qbot_tick_duration_seconds_bucket[" + std::to_string(i) + "]";
    if (std::isnan(le)) return core::Err{at + ": le is NaN"};
    if (!std::isfinite(count) || count < 0) return core::Err{at + ": count must be finite and >= 0"};
    if (i > 0 && !(le > buckets[i - 1].first)) return core::Err{at + ": le not ascending"};
    if (i > 0 && count < buckets[i - 1].second) return core::Err{at + ": count decreases"};
  }
  if (!std::isinf(buckets.back().first))
    return core::Err{std::string("qbot_tick_duration_seconds_bucket: no le=\"+Inf\"")};
  return true;
}

/// One of the counters we read: finite and >= 0, or the error names it.
core::Result<bool, std::string> store_counter(const std::string& name, double value, double& out) {
  if (!std::isfinite(value) || value < 0) return core::Err{name + ": must be finite and >= 0"};
  out = value;
  return true;
}

}  // namespace

core::Result<ServerSample, std::string> parse_server_metrics(const std::string& text) {
  ServerSample s;
  bool saw_ticks = false;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    const std::string key = line.substr(0, space);
    double value = 0;
    if (!parse_double(std::string_view(line).substr(space + 1), value)) {
      return core::Err{"unparsable value in: " + core::quoted(line, kShownBytes)};
    }
    core::Result<bool, std::string> stored = true;
    if (key.rfind("qbot_tick_duration_seconds_bucket{", 0) == 0) {
      const auto le = key.find("le=\"");
      const auto close = le == std::string::npos ? le : key.find('"', le + 4);
      double bound = 0;
      if (close == std::string::npos || !parse_double(std::string_view(key).substr(le + 4, close - le - 4), bound)) {
        return core::Err{"bad bucket: " + core::quoted(key, kShownBytes)};
      }
      if (s.tick_buckets.size() >= ServerSample::kMaxBuckets) {
        return core::Err{"more than " + std::to_string(ServerSample::kMaxBuckets) +
                         " qbot_tick_duration_seconds buckets"};
      }
      s.tick_buckets.emplace_back(bound, value);
    } else if (key == "qbot_ticks_total") {
      stored = store_counter(key, value, s.ticks);
      saw_ticks = true;
    } else if (key == "qbot_tick_overruns_total") {
      stored = store_counter(key, value, s.overruns);
    } else if (key == "qbot_process_cpu_seconds_total") {
      stored = store_counter(key, value, s.cpu_seconds);
    } else if (key == "qbot_net_bytes_total{direction=\"out\"}") {
      stored = store_counter(key, value, s.bytes_out);
    } else if (key == "qbot_tick_duration_max_seconds") {
      stored = store_counter(key, value, s.tick_max_s);
    }
    if (!stored) return core::Err{stored.error()};
  }
  if (!saw_ticks || s.tick_buckets.empty()) return core::Err{std::string("not a qbot-server /metrics page")};
  if (auto ok = check_buckets(s.tick_buckets); !ok) return core::Err{ok.error()};
  return s;
}

ServerFigures server_figures(const ServerSample& before, const ServerSample& after) {
  ServerFigures f;
  f.tick_ms_p50 = 1000.0 * quantile(before.tick_buckets, after.tick_buckets, 0.50);
  f.tick_ms_p99 = 1000.0 * quantile(before.tick_buckets, after.tick_buckets, 0.99);
  f.tick_ms_max = 1000.0 * after.tick_max_s;
  f.overruns = after.overruns - before.overruns;
  f.ticks = after.ticks - before.ticks;
  f.cpu_s = after.cpu_seconds - before.cpu_seconds;
  f.bytes_out = after.bytes_out - before.bytes_out;
  return f;
}

}  // namespace qbot::client
