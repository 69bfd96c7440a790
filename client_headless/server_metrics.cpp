#include "client_headless/server_metrics.h"

#include <charconv>
#include <cmath>
#include <sstream>

namespace qbot::client {
namespace {

bool parse_double(std::string_view s, double& out) {
  if (s == "+Inf") {
    out = INFINITY;
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
      return core::Err{"unparsable value in: " + line.substr(0, 120)};
    }
    if (key.rfind("qbot_tick_duration_seconds_bucket{", 0) == 0) {
      const auto le = key.find("le=\"");
      const auto close = le == std::string::npos ? le : key.find('"', le + 4);
      double bound = 0;
      if (close == std::string::npos || !parse_double(std::string_view(key).substr(le + 4, close - le - 4), bound)) {
        return core::Err{"bad bucket: " + key};
      }
      s.tick_buckets.emplace_back(bound, value);
    } else if (key == "qbot_ticks_total") {
      s.ticks = value;
      saw_ticks = true;
    } else if (key == "qbot_tick_overruns_total") {
      s.overruns = value;
    } else if (key == "qbot_process_cpu_seconds_total") {
      s.cpu_seconds = value;
    } else if (key == "qbot_net_bytes_total{direction=\"out\"}") {
      s.bytes_out = value;
    } else if (key == "qbot_tick_duration_max_seconds") {
      s.tick_max_s = value;
    }
  }
  if (!saw_ticks || s.tick_buckets.empty()) return core::Err{std::string("not a qbot-server /metrics page")};
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
