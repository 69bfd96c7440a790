// qbot-headless: puts N bots on one or more servers and reports what they
// measured. The only place in the client that reads the clock.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

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
#include "net/http_get.h"

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop.store(true); }
std::chrono::nanoseconds monotonic_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch());
}

std::optional<qbot::client::ServerSample> scrape(const std::optional<qbot::net::HttpUrl>& url) {
  if (!url) return std::nullopt;
  auto body = qbot::net::http_get(*url);
  if (!body) {
    std::fprintf(stderr, "--metrics-url: %s\n", body.error().c_str());
    return std::nullopt;
  }
  auto sample = qbot::client::parse_server_metrics(body.value());
  if (!sample) {
    std::fprintf(stderr, "--metrics-url: %s\n", sample.error().c_str());
    return std::nullopt;
  }
  return sample.value();
}

bool write_file(const std::string& path, const std::string& text, const char* what) {
  std::ofstream out(path);
  out << text;
  if (!out) std::fprintf(stderr, "cannot write %s to %s\n", what, path.c_str());
  return static_cast<bool>(out);
}
}  // namespace

int main(int argc, char** argv) {
  using namespace qbot::client;
  FleetConfig cfg;
  std::string servers = "127.0.0.1:7777";
  double duration_s = 10.0;
  std::string report_path, plot_path, metrics_url, mix = "fight:100";
  std::string log_level = "warn";
  std::uint32_t handshake_ms = 10000;
  std::string catalog_path, maps_dir;
  std::string queue_mode;

  CLI::App app{"qbot-headless: headless Q-Bot clients for load and correctness tests"};
  app.option_defaults()->always_capture_default();
  app.add_option("--server", servers, "Server address host:port, or several separated by commas (round robin)")
      ->envname("QBOT_SERVER");
  app.add_option("--bots", cfg.bots, "Number of bots")->check(CLI::Range(1, 20000));
  app.add_option("--duration", duration_s, "Run length in seconds (0 = until Ctrl-C)")->check(CLI::Range(0.0, 86400.0));
  app.add_option("--ramp", cfg.ramp_per_s, "Bots started per second (0 = all at once)")->check(CLI::Range(0.0, 100000.0));
  app.add_option("--mix", mix, "Behaviours in percent: idle:N,fight:N,churn:N (churn bots leave and rejoin)");
  app.add_option("--report", report_path, "Write the JSON report (totals and per-second series) to this file");
  app.add_option("--plot", plot_path, "Write an SVG chart of connected bots, RTT and bandwidth over time");
  app.add_option("--metrics-url", metrics_url,
                 "qbot-server /metrics URL (http://host:port/metrics): server tick time, overruns and CPU in the report");
  app.add_option("--threads", cfg.threads, "Client threads (one ENet host each)")->check(CLI::Range(1, 64));
  app.add_option("--tick-rate", cfg.tick_rate, "Input rate (Hz) until the server's Welcome sets it")
      ->check(CLI::Range(10, 128));
  app.add_option("--handshake-timeout-ms", handshake_ms, "Connect + Hello + Welcome deadline per bot, ms")
      ->check(CLI::Range(100, 120000));
  app.add_option("--seed", cfg.seed, "Seed of the bots' behaviour");
  app.add_option("--name-prefix", cfg.name_prefix, "Bot names are <prefix><index>");
  app.add_option("--catalog", catalog_path, "Parts catalog JSON for random loadouts (default: the shipped one)");
  app.add_option("--maps-dir", maps_dir, "Directory of map JSON files (default: the shipped maps)");
  app.add_flag("--compress", cfg.compress, "ENet range-coder compression (server must use it too)");
  app.add_option("--queue", queue_mode,
                 "Queue through the matchmaker for this mode (ffa|tdm) instead of joining directly; --server is then "
                 "the front door")
      ->check(CLI::IsMember({"ffa", "tdm"}));
  app.add_option("--matches", cfg.queue.matches, "--queue: matches each bot plays before it stops")
      ->check(CLI::Range(1, 100000));
  app.add_option("--region", cfg.queue.region, "--queue: region to queue in (default: the front door's)");
  app.add_option("--log-level", log_level, "Log level")->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  CLI11_PARSE(app, argc, argv);

  for (std::size_t pos = 0; pos <= servers.size();) {
    const auto comma = std::min(servers.find(',', pos), servers.size());
    auto endpoint = qbot::net::parse_endpoint(servers.substr(pos, comma - pos));
    if (!endpoint) {
      std::fprintf(stderr, "--server: %s\n", endpoint.error().c_str());
      return 2;
    }
    cfg.servers.push_back(*endpoint);
    pos = comma + 1;
  }
  auto parsed_mix = parse_mix(mix);
  if (!parsed_mix) {
    std::fprintf(stderr, "%s\n", parsed_mix.error().c_str());
    return 2;
  }
  cfg.mix = parsed_mix.value();
  if (!queue_mode.empty()) {
    cfg.queue.enabled = true;
    cfg.queue.mode = queue_mode == "tdm" ? qbot::proto::GameMode::TeamDeathmatch : qbot::proto::GameMode::FreeForAll;
  }
  std::optional<qbot::net::HttpUrl> metrics;
  if (!metrics_url.empty()) {
    auto url = qbot::net::parse_http_url(metrics_url);
    if (!url) {
      std::fprintf(stderr, "--metrics-url: %s\n", url.error().c_str());
      return 2;
    }
    metrics = url.value();
  }
  const auto data = qbot::content::default_data_dir();
  auto catalog = qbot::content::load_catalog_file(catalog_path.empty() ? data / "catalog.json"
                                                                        : std::filesystem::path(catalog_path));
  if (!catalog) {
    std::fprintf(stderr, "--catalog: %s\n", catalog.error().message.c_str());
    return 2;
  }
  cfg.catalog = std::move(catalog.value().catalog);
  auto maps = qbot::content::load_maps_dir(maps_dir.empty() ? data / "maps" : std::filesystem::path(maps_dir));
  if (!maps) {
    std::fprintf(stderr, "--maps-dir: %s\n", maps.error().message.c_str());
    return 2;
  }
  for (auto& m : maps.value()) cfg.maps.push_back(std::move(m.map));
  cfg.handshake_timeout = std::chrono::milliseconds(handshake_ms);
  spdlog::set_level(spdlog::level::from_str(log_level));
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  const auto server_before = scrape(metrics);
  Fleet fleet(cfg, monotonic_now);
  const auto started = monotonic_now();
  fleet.start();
  std::vector<Sample> series;
  FleetTotals last{};
  auto next_line = started + std::chrono::seconds(1);
  const auto end = started + std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(duration_s));
  while (!g_stop.load() && (duration_s == 0.0 || monotonic_now() < end) && !(cfg.queue.enabled && fleet.finished())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the reporter's pace, not an event wait
    const auto now = monotonic_now();
    if (now < next_line) continue;
    next_line += std::chrono::seconds(1);
    FleetTotals t = fleet.totals(true);
    const Sample s = sample_of(std::chrono::duration<double>(now - started).count(), last, t);
    series.push_back(s);
    std::printf("[%5.1fs] started %llu/%u connected %llu failed %llu | snapshots/s %.0f | rtt ms p50 %.0f p99 %.0f | "
                "down %.0f up %.0f B/bot/s | errors %llu\n",
                s.t, static_cast<unsigned long long>(s.started), cfg.bots, static_cast<unsigned long long>(s.connected),
                static_cast<unsigned long long>(s.failed), s.snapshots_per_s, s.rtt_ms_p50, s.rtt_ms_p99,
                s.down_per_bot, s.up_per_bot, static_cast<unsigned long long>(s.errors));
    std::fflush(stdout);
    last = std::move(t);
  }
  const double elapsed = std::chrono::duration<double>(monotonic_now() - started).count();
  FleetTotals totals = fleet.totals(false);
  const auto server_after = scrape(metrics);
  fleet.stop();

  RunInfo run{servers, cfg.bots, cfg.tick_rate, elapsed};
  std::optional<ServerFigures> server_figs;
  if (server_before && server_after) server_figs = server_figures(*server_before, *server_after);
  std::fputs(report_summary(run, totals, server_figs).c_str(), stdout);
  if (!report_path.empty() && !write_file(report_path, report_json(run, totals, series, server_figs), "the report")) {
    return 2;
  }
  if (!plot_path.empty() && !write_file(plot_path, plot_svg(series, run), "the plot")) return 2;
  if (metrics && !server_figs) {
    std::fprintf(stderr, "--metrics-url: could not read the server's figures\n");
    return 2;
  }
  const bool all_in = totals.welcomed == cfg.bots && totals.failed == 0;
  if (!all_in) {
    std::fprintf(stderr, "%llu of %u bots failed to connect\n",
                 static_cast<unsigned long long>(cfg.bots - std::min<std::uint64_t>(totals.welcomed, cfg.bots)),
                 cfg.bots);
  }
  if (cfg.queue.enabled && totals.done < cfg.bots) {
    std::fprintf(stderr, "%llu of %u bots did not play their %u matches\n",
                 static_cast<unsigned long long>(cfg.bots - std::min<std::uint64_t>(totals.done, cfg.bots)), cfg.bots,
                 cfg.queue.matches);
    return 1;
  }
  return all_in ? 0 : 1;
}
