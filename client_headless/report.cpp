#include "client_headless/report.h"

#include <algorithm>
#include <cstdio>

#include "client_headless/json_writer.h"

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

std::string report_json(const RunInfo& run, const FleetTotals& t, const std::vector<Sample>& series,
                        const std::optional<ServerFigures>& server) {
  JsonWriter j;
  j.begin_object();
  j.field("server", std::string_view(run.server));
  j.field("bots_requested", std::uint64_t{run.bots_requested});
  j.field("bots_connected", t.welcomed);
  j.field("bots_failed", t.failed);
  j.field("duration_s", run.duration_s);
  j.field("tick_rate", std::uint64_t{run.tick_rate});
  j.field("snapshots_received", t.snapshots);
  j.field("snapshots_per_bot_per_s", per_bot_per_s(t.snapshots, t.welcomed, run.duration_s));
  j.field("snapshot_decode_errors", t.snapshot_errors);
  j.field("snapshot_baseline_missing", t.baseline_missing);
  j.field("inputs_sent", t.inputs_sent);
  j.field("kills", t.kills);
  j.field("matches_ended", t.matches_ended);
  j.field("match_results_duplicated", t.match_results_duplicated);
  j.field("prediction_error_p50", static_cast<double>(t.prediction_error_mm.quantile(0.50)) / 1000.0);
  j.field("prediction_error_p99", static_cast<double>(t.prediction_error_mm.quantile(0.99)) / 1000.0);
  j.field("snapshot_gap_ms_p50", static_cast<double>(t.snapshot_gap_ms.quantile(0.50)));
  j.field("snapshot_gap_ms_p99", static_cast<double>(t.snapshot_gap_ms.quantile(0.99)));
  j.field("disconnects", t.disconnects);
  j.field("rtt_ms_p50", static_cast<double>(t.rtt_ms_total.quantile(0.50)));
  j.field("rtt_ms_p99", static_cast<double>(t.rtt_ms_total.quantile(0.99)));
  j.field("rtt_ms_max", static_cast<double>(t.rtt_ms_total.max()));
  j.field("bytes_down_per_bot_per_s", per_bot_per_s(t.bytes_down, t.welcomed, run.duration_s));
  j.field("bytes_up_per_bot_per_s", per_bot_per_s(t.bytes_up, t.welcomed, run.duration_s));
  j.field("churn_rejoins", t.rejoins);
  j.field("matches_played", t.matches_played);
  j.field("queue_refusals", t.queue_refusals);
  j.field("time_to_match_ms_p50", static_cast<double>(t.time_to_match_ms.quantile(0.50)));
  j.field("time_to_match_ms_p99", static_cast<double>(t.time_to_match_ms.quantile(0.99)));
  j.key("rejects").begin_object();
  for (std::size_t i = 0; i < t.rejects.size(); ++i) {
    if (t.rejects[i] == 0) continue;
    j.field(proto::reject_reason_name(static_cast<proto::RejectReason>(i)), t.rejects[i]);
  }
  j.end_object();
  if (server) {
    j.field("server_tick_ms_p50", server->tick_ms_p50);
    j.field("server_tick_ms_p99", server->tick_ms_p99);
    j.field("server_tick_ms_max", server->tick_ms_max);
    j.field("server_tick_overruns", server->overruns);
    j.field("server_ticks", server->ticks);
    j.field("server_cpu_s", server->cpu_s);
    j.field("server_cpu_percent", run.duration_s > 0 ? 100.0 * server->cpu_s / run.duration_s : 0.0);
    j.field("server_bytes_out_per_client_per_s",
            per_bot_per_s(static_cast<std::uint64_t>(server->bytes_out), t.welcomed, run.duration_s));
  }
  j.key("series").begin_array();
  for (const Sample& s : series) {
    j.begin_object();
    j.field("t", s.t);
    j.field("started", s.started);
    j.field("connected", s.connected);
    j.field("failed", s.failed);
    j.field("errors", s.errors);
    j.field("snapshots_per_s", s.snapshots_per_s);
    j.field("rtt_ms_p50", s.rtt_ms_p50);
    j.field("rtt_ms_p99", s.rtt_ms_p99);
    j.field("down_bytes_per_bot_per_s", s.down_per_bot);
    j.field("up_bytes_per_bot_per_s", s.up_per_bot);
    j.end_object();
  }
  j.end_array();
  j.end_object();
  return j.str() + "\n";
}

std::string report_summary(const RunInfo& run, const FleetTotals& t, const std::optional<ServerFigures>& server) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "qbot-headless summary (%s, %.1f s)\n"
                "  bots            %llu/%u connected, %llu failed, %llu disconnected\n"
                "  snapshots       %llu received (%.1f /bot/s), %llu undecodable, %llu missing baseline\n"
                "  rtt (ms)        p50 %llu  p99 %llu  max %llu\n"
                "  bandwidth       down %.0f B/bot/s, up %.0f B/bot/s\n"
                "  prediction      error p50 %.3f m  p99 %.3f m; snapshot gap p99 %llu ms\n",
                run.server.c_str(), run.duration_s, static_cast<unsigned long long>(t.welcomed), run.bots_requested,
                static_cast<unsigned long long>(t.failed), static_cast<unsigned long long>(t.disconnects),
                static_cast<unsigned long long>(t.snapshots), per_bot_per_s(t.snapshots, t.welcomed, run.duration_s),
                static_cast<unsigned long long>(t.snapshot_errors), static_cast<unsigned long long>(t.baseline_missing),
                static_cast<unsigned long long>(t.rtt_ms_total.quantile(0.5)),
                static_cast<unsigned long long>(t.rtt_ms_total.quantile(0.99)),
                static_cast<unsigned long long>(t.rtt_ms_total.max()),
                per_bot_per_s(t.bytes_down, t.welcomed, run.duration_s),
                per_bot_per_s(t.bytes_up, t.welcomed, run.duration_s),
                static_cast<double>(t.prediction_error_mm.quantile(0.5)) / 1000.0,
                static_cast<double>(t.prediction_error_mm.quantile(0.99)) / 1000.0,
                static_cast<unsigned long long>(t.snapshot_gap_ms.quantile(0.99)));
  std::string s = buf;
  for (std::size_t i = 0; i < t.rejects.size(); ++i) {
    if (t.rejects[i] == 0) continue;
    s += "  rejected        " + std::string(proto::reject_reason_name(static_cast<proto::RejectReason>(i))) + ": " +
         std::to_string(t.rejects[i]) + "\n";
  }
  if (t.rejoins > 0) s += "  churn           " + std::to_string(t.rejoins) + " rejoins\n";
  if (t.time_to_match_ms.count() > 0) {
    std::snprintf(buf, sizeof buf, "  matchmaking     %llu matches played, time to match p50 %llu ms p99 %llu ms, %llu refusals\n",
                  static_cast<unsigned long long>(t.matches_played),
                  static_cast<unsigned long long>(t.time_to_match_ms.quantile(0.5)),
                  static_cast<unsigned long long>(t.time_to_match_ms.quantile(0.99)),
                  static_cast<unsigned long long>(t.queue_refusals));
    s += buf;
  }
  if (server) {
    std::snprintf(buf, sizeof buf,
                  "  server          tick p50 %.3f ms  p99 %.3f ms  max %.3f ms | overruns %.0f of %.0f ticks | CPU "
                  "%.1f s (%.0f %%)\n",
                  server->tick_ms_p50, server->tick_ms_p99, server->tick_ms_max, server->overruns, server->ticks,
                  server->cpu_s, run.duration_s > 0 ? 100.0 * server->cpu_s / run.duration_s : 0.0);
    s += buf;
  }
  return s;
}

}  // namespace qbot::client
