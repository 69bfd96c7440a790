// qbot-headless: puts N bots on one or more servers and reports what they
// measured. The only place in the client that reads the clock.
//   main = flags (Flags -> FleetConfig) -> run (the fleet and its progress
//   lines) -> finish (summary, report, plot, exit code).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <optional>
#include <thread>

#include "client_headless/fleet.h"
#include "client_headless/plot_svg.h"
#include "client_headless/report.h"
#include "client_headless/server_metrics.h"
#include "content/catalog_loader.h"
#include "content/map_loader.h"
#include "http/http_client.h"

namespace {

using namespace qbot::client;

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop.store(true); }
std::chrono::nanoseconds monotonic_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch());
}

/// The flags that are not FleetConfig fields themselves.
struct Flags {
  std::string servers = "127.0.0.1:7777";
  double duration_s = 10.0;
  std::string report_path, plot_path, metrics_url, mix = "fight:100";
  std::string log_level = "warn";
  std::uint32_t handshake_ms = 10000;
  std::string catalog_path, maps_dir;
  std::string queue_mode;
  std::uint32_t stall_ms = 0, stall_after_ms = 3000;
};

void add_flags(CLI::App& app, Flags& f, FleetConfig& cfg) {
  app.option_defaults()->always_capture_default();
  app.add_option("--server", f.servers, "Server address host:port, or several separated by commas (round robin)")
      ->envname("QBOT_SERVER");
  app.add_option("--bots", cfg.bots, "Number of bots")->check(CLI::Range(1, 20000));
  app.add_option("--duration", f.duration_s, "Run length in seconds (0 = until Ctrl-C)")
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--ramp", cfg.ramp_per_s, "Bots started per second (0 = all at once)")
      ->check(CLI::Range(0.0, 100000.0));
  app.add_option("--mix", f.mix, "Behaviours in percent: idle:N,fight:N,churn:N (churn bots leave and rejoin)");
  app.add_option("--report", f.report_path, "Write the JSON report (totals and per-second series) to this file");
  app.add_option("--plot", f.plot_path, "Write an SVG chart of connected bots, RTT and bandwidth over time");
  app.add_option("--metrics-url", f.metrics_url,
                 "qbot-server /metrics URL (http://host:port/metrics): server tick time, overruns and CPU in the "
                 "report");
  app.add_option("--threads", cfg.threads, "Client threads (one ENet host each)")->check(CLI::Range(1, 64));
  app.add_option("--tick-rate", cfg.tick_rate, "Input rate (Hz) until the server's Welcome sets it")
      ->check(CLI::Range(10, 128));
  app.add_option("--handshake-timeout-ms", f.handshake_ms, "Connect + Hello + Welcome deadline per bot, ms")
      ->check(CLI::Range(100, 120000));
  app.add_option("--seed", cfg.seed, "Seed of the bots' behaviour");
  app.add_option("--name-prefix", cfg.name_prefix, "Bot names are <prefix><index>");
  app.add_option("--catalog", f.catalog_path, "Parts catalog JSON for random loadouts (default: the shipped one)");
  app.add_option("--maps-dir", f.maps_dir, "Directory of map JSON files (default: the shipped maps)");
  app.add_flag("--compress", cfg.compress, "ENet range-coder compression (server must use it too)");
  app.add_option("--queue", f.queue_mode,
                 "Queue through the matchmaker for this mode (ffa|tdm) instead of joining directly; --server is then "
                 "the front door")
      ->check(CLI::IsMember({"ffa", "tdm"}));
  app.add_option("--matches", cfg.queue.matches, "--queue: matches each bot plays before it stops")
      ->check(CLI::Range(1, 100000));
  app.add_option("--region", cfg.queue.region, "--queue: region to queue in (default: the front door's)");
  app.add_option("--stall-ms", f.stall_ms,
                 "Every bot stops sending inputs once for this long, --stall-after-ms after its Welcome (0 = never)")
      ->check(CLI::Range(0, 60000));
  app.add_option("--stall-after-ms", f.stall_after_ms, "--stall-ms: when the stall begins, ms after the Welcome")
      ->check(CLI::Range(0, 3600000));
  app.add_flag("--stall-catch-up", cfg.stall.catch_up,
               "--stall-ms: resume by sending every missed command at once (a naive client) instead of pacing");
  app.add_option("--log-level", f.log_level, "Log level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
}

/// "host:port[,host:port...]" into cfg.servers. The error names the flag.
qbot::core::Result<bool, std::string> parse_servers(const std::string& text, FleetConfig& cfg) {
  for (std::size_t pos = 0; pos <= text.size();) {
    const auto comma = std::min(text.find(',', pos), text.size());
    auto endpoint = qbot::net::parse_endpoint(text.substr(pos, comma - pos));
    if (!endpoint) return qbot::core::Err{"--server: " + endpoint.error()};
    cfg.servers.push_back(*endpoint);
    pos = comma + 1;
  }
  return true;
}

/// The catalog and maps the bots build loadouts from and wander on.
qbot::core::Result<bool, std::string> load_content(const Flags& f, FleetConfig& cfg) {
  const auto data = qbot::content::default_data_dir();
  auto catalog = qbot::content::load_catalog_file(f.catalog_path.empty() ? data / "catalog.json"
                                                                         : std::filesystem::path(f.catalog_path));
  if (!catalog) return qbot::core::Err{"--catalog: " + catalog.error().message};
  cfg.catalog = std::move(catalog.value().catalog);
  auto maps = qbot::content::load_maps_dir(f.maps_dir.empty() ? data / "maps" : std::filesystem::path(f.maps_dir));
  if (!maps) return qbot::core::Err{"--maps-dir: " + maps.error().message};
  for (auto& m : maps.value()) cfg.maps.push_back(std::move(m.map));
  return true;
}

/// Everything the flags say that CLI11 cannot check: a usage error (exit 2) names the flag.
qbot::core::Result<bool, std::string> complete_config(const Flags& f, FleetConfig& cfg) {
  if (auto servers = parse_servers(f.servers, cfg); !servers) return servers;
  auto mix = parse_mix(f.mix);
  if (!mix) return qbot::core::Err{mix.error()};
  cfg.mix = mix.value();
  if (!f.queue_mode.empty()) {
    cfg.queue.enabled = true;
    cfg.queue.mode = qbot::proto::parse_game_mode(f.queue_mode).value_or(qbot::proto::GameMode::FreeForAll);
  }
  if (!f.metrics_url.empty()) {
    if (auto url = qbot::http::check_url(f.metrics_url); !url)
      return qbot::core::Err{"--metrics-url: " + url.error().message};
  }
  cfg.handshake_timeout = std::chrono::milliseconds(f.handshake_ms);
  cfg.stall.length = std::chrono::milliseconds(f.stall_ms);
  cfg.stall.after = std::chrono::milliseconds(f.stall_after_ms);
  return load_content(f, cfg);
}

/// One scrape of the server's /metrics; nullopt (and why, on stderr) when it fails.
std::optional<ServerSample> scrape(const std::string& url) {
  if (url.empty()) return std::nullopt;
  auto response = qbot::http::Client().get(url);
  if (!response) {
    std::fprintf(stderr, "--metrics-url: %s\n", response.error().message.c_str());
    return std::nullopt;
  }
  if (!response->ok()) {
    std::fprintf(stderr, "--metrics-url: HTTP status %ld\n", response->status);
    return std::nullopt;
  }
  auto sample = parse_server_metrics(response->body);
  if (!sample) {
    std::fprintf(stderr, "--metrics-url: %s\n", sample.error().c_str());
    return std::nullopt;
  }
  return sample.value();
}

void print_progress(const Sample& s, std::uint32_t bots) {
  std::printf(
      "[%5.1fs] started %llu/%u connected %llu failed %llu | snapshots/s %.0f | rtt ms p50 %.0f p99 %.0f | "
      "down %.0f up %.0f B/bot/s | errors %llu\n",
      s.t, static_cast<unsigned long long>(s.started), bots, static_cast<unsigned long long>(s.connected),
      static_cast<unsigned long long>(s.failed), s.snapshots_per_s, s.rtt_ms_p50, s.rtt_ms_p99, s.down_per_bot,
      s.up_per_bot, static_cast<unsigned long long>(s.errors));
  std::fflush(stdout);
}

struct RunResult {
  std::vector<Sample> series;
  FleetTotals totals;
  double elapsed_s = 0;
  std::optional<ServerFigures> server;
};

/// Runs the fleet until --duration passes, a signal arrives, or (--queue)
/// every bot has played its matches; one progress line per second.
RunResult run(const FleetConfig& cfg, const Flags& f) {
  RunResult r;
  const auto server_before = scrape(f.metrics_url);
  Fleet fleet(cfg, monotonic_now);
  const auto started = monotonic_now();
  fleet.start();
  FleetTotals last{};
  auto next_line = started + std::chrono::seconds(1);
  const auto end =
      started + std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(f.duration_s));
  while (!g_stop.load() && (f.duration_s == 0.0 || monotonic_now() < end) && !(cfg.queue.enabled && fleet.finished())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the reporter's pace, not an event wait
    const auto now = monotonic_now();
    if (now < next_line) continue;
    next_line += std::chrono::seconds(1);
    FleetTotals t = fleet.totals(true);
    r.series.push_back(sample_of(std::chrono::duration<double>(now - started).count(), last, t));
    print_progress(r.series.back(), cfg.bots);
    last = t;
  }
  r.elapsed_s = std::chrono::duration<double>(monotonic_now() - started).count();
  r.totals = fleet.totals(false);
  const auto server_after = scrape(f.metrics_url);
  fleet.stop();
  if (server_before && server_after) r.server = server_figures(*server_before, *server_after);
  return r;
}

bool write_file(const std::string& path, const std::string& text, const char* what) {
  std::ofstream out(path);
  out << text;
  if (!out) std::fprintf(stderr, "cannot write %s to %s\n", what, path.c_str());
  return static_cast<bool>(out);
}

/// Summary, report and plot; the exit code: 0 all bots in (and, with
/// --queue, all matches played), 1 some were not, 2 an output failed.
int finish(const FleetConfig& cfg, const Flags& f, const RunResult& r) {
  const RunInfo run{f.servers, cfg.bots, cfg.tick_rate, r.elapsed_s};
  std::fputs(report_summary(run, r.totals, r.server).c_str(), stdout);
  if (!f.report_path.empty() &&
      !write_file(f.report_path, report_json(run, r.totals, r.series, r.server), "the report")) {
    return 2;
  }
  if (!f.plot_path.empty() && !write_file(f.plot_path, plot_svg(r.series, run), "the plot")) return 2;
  if (!f.metrics_url.empty() && !r.server) {
    std::fprintf(stderr, "--metrics-url: could not read the server's figures\n");
    return 2;
  }
  const bool all_in = r.totals.welcomed == cfg.bots && r.totals.failed == 0;
  if (!all_in) {
    std::fprintf(stderr, "%llu of %u bots failed to connect\n",
                 static_cast<unsigned long long>(cfg.bots - std::min<std::uint64_t>(r.totals.welcomed, cfg.bots)),
                 cfg.bots);
  }
  if (cfg.queue.enabled && r.totals.done < cfg.bots) {
    std::fprintf(stderr, "%llu of %u bots did not play their %u matches\n",
                 static_cast<unsigned long long>(cfg.bots - std::min<std::uint64_t>(r.totals.done, cfg.bots)), cfg.bots,
                 cfg.queue.matches);
    return 1;
  }
  return all_in ? 0 : 1;
}

}  // namespace

/// The program; main() only adds the last line of defence around it.
int run_program(int argc, char** argv) {
  FleetConfig cfg;
  Flags flags;
  CLI::App app{"qbot-headless: headless Q-Bot clients for load and correctness tests"};
  add_flags(app, flags, cfg);
  CLI11_PARSE(app, argc, argv);
  if (auto complete = complete_config(flags, cfg); !complete) {
    std::fprintf(stderr, "%s\n", complete.error().c_str());
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const RunResult result = run(cfg, flags);
  return finish(cfg, flags, result);
}

int main(int argc, char** argv) {
  try {
    return run_program(argc, argv);
  } catch (const std::exception& e) {  // out of memory, a library's exception: say what, do not abort
    std::fprintf(stderr, "qbot-headless: fatal: %s\n", e.what());
    return 1;
  }
}
