// qbot-headless: puts N bots on a server and reports what they measured.
// The only place in the client that reads the clock.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

#include "client_headless/fleet.h"
#include "content/catalog_loader.h"
#include "content/map_loader.h"
#include "client_headless/report.h"

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop.store(true); }
std::chrono::nanoseconds monotonic_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch());
}
}  // namespace

int main(int argc, char** argv) {
  using namespace qbot::client;
  FleetConfig cfg;
  std::string server = "127.0.0.1:7777";
  double duration_s = 10.0;
  std::string report_path;
  std::string log_level = "warn";
  std::uint32_t handshake_ms = 10000;
  std::string catalog_path, maps_dir;

  CLI::App app{"qbot-headless: headless Q-Bot clients for load and correctness tests"};
  app.option_defaults()->always_capture_default();
  app.add_option("--server", server, "Server address host:port")->envname("QBOT_SERVER");
  app.add_option("--bots", cfg.bots, "Number of bots")->check(CLI::Range(1, 20000));
  app.add_option("--duration", duration_s, "Run length in seconds (0 = until Ctrl-C)")->check(CLI::Range(0.0, 86400.0));
  app.add_option("--report", report_path, "Write the JSON report to this file");
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
  app.add_option("--log-level", log_level, "Log level")->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  CLI11_PARSE(app, argc, argv);

  auto endpoint = qbot::net::parse_endpoint(server);
  if (!endpoint) {
    std::fprintf(stderr, "--server: %s\n", endpoint.error().c_str());
    return 2;
  }
  cfg.server = *endpoint;
  const auto data = qbot::content::default_data_dir();
  auto catalog = qbot::content::load_catalog_file(catalog_path.empty() ? data / "catalog.json" : std::filesystem::path(catalog_path));
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

  Fleet fleet(cfg, monotonic_now);
  const auto started = monotonic_now();
  fleet.start();
  std::uint64_t last_snapshots = 0;
  auto next_line = started + std::chrono::seconds(1);
  const auto end = started + std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(duration_s));
  while (!g_stop.load() && (duration_s == 0.0 || monotonic_now() < end)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the reporter's pace, not an event wait
    const auto now = monotonic_now();
    if (now < next_line) continue;
    next_line += std::chrono::seconds(1);
    FleetTotals t = fleet.totals(true);
    const double elapsed = std::chrono::duration<double>(now - started).count();
    std::printf("[%5.1fs] connected %llu/%u failed %llu | snapshots/s %llu | rtt ms p50 %llu p99 %llu\n", elapsed,
                static_cast<unsigned long long>(t.playing), cfg.bots, static_cast<unsigned long long>(t.failed),
                static_cast<unsigned long long>(t.snapshots - last_snapshots),
                static_cast<unsigned long long>(t.rtt_ms_window.quantile(0.5)),
                static_cast<unsigned long long>(t.rtt_ms_window.quantile(0.99)));
    std::fflush(stdout);
    last_snapshots = t.snapshots;
  }
  const double elapsed = std::chrono::duration<double>(monotonic_now() - started).count();
  FleetTotals totals = fleet.totals(false);
  fleet.stop();

  RunInfo run{server, cfg.bots, cfg.tick_rate, elapsed};
  std::fputs(report_summary(run, totals).c_str(), stdout);
  if (!report_path.empty()) {
    std::ofstream out(report_path);
    out << report_json(run, totals);
    if (!out) {
      std::fprintf(stderr, "cannot write report to %s\n", report_path.c_str());
      return 2;
    }
  }
  const bool all_in = totals.welcomed == cfg.bots && totals.failed == 0;
  if (!all_in) {
    std::fprintf(stderr, "%llu of %u bots failed to connect\n",
                 static_cast<unsigned long long>(cfg.bots - std::min<std::uint64_t>(totals.welcomed, cfg.bots)),
                 cfg.bots);
  }
  return all_in ? 0 : 1;
}
