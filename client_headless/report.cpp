#include "client_headless/report.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace qbot::client {
namespace {
double per_bot_per_s(std::uint64_t v, std::uint64_t bots, double seconds) {
  if (bots == 0 || seconds <= 0) return 0.0;
  return static_cast<double>(v) / static_cast<double>(bots) / seconds;
}
}  // namespace

Sample sample_of(double t, const FleetTotals& prev, const FleetTotals& now) {
  Sample s;
  s.t = t;
  s.started = now.started;
  s.connected = now.playing;
  s.failed = now.failed;
  s.errors = now.failed + now.disconnects + now.snapshot_errors;
  s.snapshots_per_s = static_cast<double>(now.snapshots - prev.snapshots);
  s.rtt_ms_p50 = static_cast<double>(now.rtt_ms_window.quantile(0.50));
  s.rtt_ms_p99 = static_cast<double>(now.rtt_ms_window.quantile(0.99));
  const double bots = static_cast<double>(std::max<std::uint64_t>(now.playing, 1));
  s.down_per_bot = static_cast<double>(now.bytes_down - prev.bytes_down) / bots;
  s.up_per_bot = static_cast<double>(now.bytes_up - prev.bytes_up) / bots;
  return s;
}

namespace {
using Json = nlohmann::ordered_json;  // keys in the order written: the report reads top-down

double quantile_of(const core::Histogram& h, double q) { return static_cast<double>(h.quantile(q)); }

void add_totals(Json& j, const RunInfo& run, const FleetTotals& t) {
  j["server"] = run.server;
  j["bots_requested"] = std::uint64_t{run.bots_requested};
  j["bots_connected"] = t.welcomed;
  j["bots_failed"] = t.failed;
  j["duration_s"] = run.duration_s;
  j["tick_rate"] = std::uint64_t{run.tick_rate};
  j["snapshots_received"] = t.snapshots;
  j["snapshots_per_bot_per_s"] = per_bot_per_s(t.snapshots, t.welcomed, run.duration_s);
  j["snapshot_decode_errors"] = t.snapshot_errors;
  j["snapshot_baseline_missing"] = t.baseline_missing;
  j["inputs_sent"] = t.inputs_sent;
  j["kills"] = t.kills;
  j["matches_ended"] = t.matches_ended;
  j["match_results_duplicated"] = t.match_results_duplicated;
  j["prediction_error_p50"] = quantile_of(t.prediction_error_mm, 0.50) / 1000.0;
  j["prediction_error_p99"] = quantile_of(t.prediction_error_mm, 0.99) / 1000.0;
  j["snapshot_gap_ms_p50"] = quantile_of(t.snapshot_gap_ms, 0.50);
  j["snapshot_gap_ms_p99"] = quantile_of(t.snapshot_gap_ms, 0.99);
  j["disconnects"] = t.disconnects;
  j["rtt_ms_p50"] = quantile_of(t.rtt_ms_total, 0.50);
  j["rtt_ms_p99"] = quantile_of(t.rtt_ms_total, 0.99);
  j["rtt_ms_max"] = static_cast<double>(t.rtt_ms_total.max());
  j["bytes_down_per_bot_per_s"] = per_bot_per_s(t.bytes_down, t.welcomed, run.duration_s);
  j["bytes_up_per_bot_per_s"] = per_bot_per_s(t.bytes_up, t.welcomed, run.duration_s);
  j["churn_rejoins"] = t.rejoins;
  j["matches_played"] = t.matches_played;
  j["queue_refusals"] = t.queue_refusals;
  j["bots_recreated"] = t.bots_recreated;
  j["front_door_losses"] = t.front_door_losses;
  j["time_to_match_ms_p50"] = quantile_of(t.time_to_match_ms, 0.50);
  j["time_to_match_ms_p99"] = quantile_of(t.time_to_match_ms, 0.99);
  j["estimated_wait_ms_p50"] = quantile_of(t.estimated_wait_ms, 0.50);
  j["input_queue_p50"] = quantile_of(t.input_queue, 0.50);
  j["input_queue_p99"] = quantile_of(t.input_queue, 0.99);
  j["input_queue_max"] = static_cast<double>(t.input_queue.max());
  j["inputs_dropped"] = t.inputs_dropped;
  j["input_stalls"] = t.input_stalls;
  Json rejects = Json::object();
  for (std::size_t i = 0; i < t.rejects.size(); ++i) {
    if (t.rejects[i] != 0)
      rejects[std::string(proto::reject_reason_name(static_cast<proto::RejectReason>(i)))] = t.rejects[i];
  }
  j["rejects"] = std::move(rejects);
}

void add_server(Json& j, const RunInfo& run, const FleetTotals& t, const ServerFigures& server) {
  j["server_tick_ms_p50"] = server.tick_ms_p50;
  j["server_tick_ms_p99"] = server.tick_ms_p99;
  j["server_tick_ms_max"] = server.tick_ms_max;
  j["server_tick_overruns"] = server.overruns;
  j["server_ticks"] = server.ticks;
  j["server_cpu_s"] = server.cpu_s;
  j["server_cpu_percent"] = run.duration_s > 0 ? 100.0 * server.cpu_s / run.duration_s : 0.0;
  j["server_bytes_out_per_client_per_s"] =
      per_bot_per_s(static_cast<std::uint64_t>(server.bytes_out), t.welcomed, run.duration_s);
}

Json series_json(const std::vector<Sample>& series) {
  Json out = Json::array();
  for (const Sample& s : series) {
    out.push_back(Json{{"t", s.t},
                       {"started", s.started},
                       {"connected", s.connected},
                       {"failed", s.failed},
                       {"errors", s.errors},
                       {"snapshots_per_s", s.snapshots_per_s},
                       {"rtt_ms_p50", s.rtt_ms_p50},
                       {"rtt_ms_p99", s.rtt_ms_p99},
                       {"down_bytes_per_bot_per_s", s.down_per_bot},
                       {"up_bytes_per_bot_per_s", s.up_per_bot}});
  }
  return out;
}
}  // namespace

std::string report_json(const RunInfo& run, const FleetTotals& t, const std::vector<Sample>& series,
                        const std::optional<ServerFigures>& server) {
  Json j = Json::object();
  add_totals(j, run, t);
  if (server) add_server(j, run, t, *server);
  j["series"] = series_json(series);
  // Compact ("key":value, one line): ops/bench.sh and ops/bandwidth.sh read
  // it with sed. Non-finite numbers become null; bytes that are not UTF-8
  // (a --server string) become U+FFFD instead of an exception.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string report_summary(const RunInfo& run, const FleetTotals& t, const std::optional<ServerFigures>& server) {
  // fmt, not snprintf into a fixed buffer: a long --server list is never cut.
  std::string s = fmt::format(
      "qbot-headless summary ({}, {:.1f} s)\n"
      "  bots            {}/{} connected, {} failed, {} disconnected\n"
      "  snapshots       {} received ({:.1f} /bot/s), {} undecodable, {} missing baseline\n"
      "  rtt (ms)        p50 {}  p99 {}  max {}\n"
      "  bandwidth       down {:.0f} B/bot/s, up {:.0f} B/bot/s\n"
      "  prediction      error p50 {:.3f} m  p99 {:.3f} m; snapshot gap p99 {} ms\n",
      run.server, run.duration_s, t.welcomed, run.bots_requested, t.failed, t.disconnects, t.snapshots,
      per_bot_per_s(t.snapshots, t.welcomed, run.duration_s), t.snapshot_errors, t.baseline_missing,
      t.rtt_ms_total.quantile(0.5), t.rtt_ms_total.quantile(0.99), t.rtt_ms_total.max(),
      per_bot_per_s(t.bytes_down, t.welcomed, run.duration_s), per_bot_per_s(t.bytes_up, t.welcomed, run.duration_s),
      quantile_of(t.prediction_error_mm, 0.5) / 1000.0, quantile_of(t.prediction_error_mm, 0.99) / 1000.0,
      t.snapshot_gap_ms.quantile(0.99));
  for (std::size_t i = 0; i < t.rejects.size(); ++i) {
    if (t.rejects[i] == 0) continue;
    s += fmt::format("  rejected        {}: {}\n", proto::reject_reason_name(static_cast<proto::RejectReason>(i)),
                     t.rejects[i]);
  }
  if (t.input_queue.count() > 0) {
    s += fmt::
        format("  input pacing    server queue p50 {} p99 {} max {}; {} commands dropped by the server; {} stalls\n",
               t.input_queue.quantile(0.5), t.input_queue.quantile(0.99), t.input_queue.max(), t.inputs_dropped,
               t.input_stalls);
  }
  if (t.rejoins > 0) s += fmt::format("  churn           {} rejoins\n", t.rejoins);
  if (t.time_to_match_ms.count() > 0) {
    s += fmt::format(
        "  matchmaking     {} matches played, time to match p50 {} ms p99 {} ms (first estimate p50 {} ms), {} "
        "refusals, {} garage bots built again\n",
        t.matches_played, t.time_to_match_ms.quantile(0.5), t.time_to_match_ms.quantile(0.99),
        t.estimated_wait_ms.quantile(0.5), t.queue_refusals, t.bots_recreated);
  }
  if (server) {
    s += fmt::format(
        "  server          tick p50 {:.3f} ms  p99 {:.3f} ms  max {:.3f} ms | overruns {:.0f} of {:.0f} ticks | CPU "
        "{:.1f} s ({:.0f} %)\n",
        server->tick_ms_p50, server->tick_ms_p99, server->tick_ms_max, server->overruns, server->ticks, server->cpu_s,
        run.duration_s > 0 ? 100.0 * server->cpu_s / run.duration_s : 0.0);
  }
  return s;
}

}  // namespace qbot::client
