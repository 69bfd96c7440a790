// qbot-server entry point: flags/env/config -> Config -> stores, metrics,
// the HTTP endpoints, Agones, Server and matchmaker -> the loop until
// SIGINT/SIGTERM (or an Agones shutdown) -> the drain -> exit 0.
// The ONLY place that reads the wall clock; everything else is handed `now`.
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <thread>

#include "core/hash.h"
#include "core/quoted.h"
#include "core/text.h"
#include "proto/limits.h"
#include "server/agones/agones_link.h"
#include "server/config.h"
#include "server/game_content.h"
#include "server/http/http_server.h"
#include "server/http/server_endpoints.h"
#include "server/matchmaking/matchmaker.h"
#include "server/metrics/metrics.h"
#include "server/open_stores.h"
#include "server/server.h"
#include "server/spectator/spectator_endpoints.h"
#include "server/spectator/spectator_feed.h"
#include "server/spectator/spectator_hub.h"
#include "token/record_mac.h"

namespace {

using namespace qbot::server;

constexpr std::chrono::seconds kAgonesStartupWait{60};  // for the sidecar's GameServer, before anything runs
constexpr std::chrono::seconds kAgonesFinishWait{5};    // for Shutdown to reach the sidecar

// SIGINT/SIGTERM received: the first starts the drain, the second cuts it short.
std::atomic<int> g_signals{0};
static_assert(std::atomic<int>::is_always_lock_free);  // safe in a signal handler

void on_signal(int) { g_signals.fetch_add(1); }

std::uint64_t unix_now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::chrono::nanoseconds monotonic_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch());
}

std::string default_server_id(std::uint16_t port) {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == 0) std::snprintf(host, sizeof host, "qbot");
  std::string id = std::string(host) + "-" + std::to_string(port);
  for (char& c : id) {
    if (!qbot::core::is_code_char(c)) c = '-';
  }
  return id.substr(0, qbot::proto::kMaxServerIdBytes);
}

/// Fills in what the configuration left to us: the server id, the seed and,
/// in development, a random token secret shared by this process's server and
/// matchmaker (the Server warns that its tokens are valid here only).
/// Fails with the reason if the server id is not a valid code.
qbot::core::Result<bool, std::string> complete_identity(Config& cfg) {
  if (cfg.server_id.empty()) cfg.server_id = default_server_id(cfg.port);
  if (!valid_server_id(cfg.server_id)) {
    return qbot::core::Err{"--server-id must be 1..64 of [A-Za-z0-9._-], got " + qbot::core::quoted(cfg.server_id)};
  }
  if (cfg.seed == 0) {
    qbot::core::Fnv1a h;
    h.add(std::string_view(cfg.server_id));
    cfg.seed = h.value();
  }
  if (cfg.token_secret.empty()) {
    const auto key = qbot::token::random_key();
    cfg.token_secret.assign(key.begin(), key.end());
    cfg.token_secret_is_random = true;
  }
  return true;
}

/// Spectating (--max-spectators > 0): the hub, the tick's feed and the
/// WebSocket endpoint, served on the HTTP port. It must outlive the HTTP
/// server (whose close handlers detach from the hub): declare it first.
struct Spectating {
  Spectating(const Config& cfg, prometheus::Registry& registry)
      : metrics(registry),
        hub(hub_limits(cfg), metrics),
        feed({cfg.tick_rate, cfg.spectator_rate, cfg.spectator_delay_s}, hub, metrics),
        socket(hub) {}
  static spectator::HubLimits hub_limits(const Config& cfg) {
    // Two seconds of frames queued, three unacknowledged: a page that stops
    // reading is dropped within ~3 s, a hiccup of a second is not (and one
    // that says nothing at all within the hub's silence limit, 10 s).
    return {cfg.max_spectators, std::max<std::size_t>(8, 2 * cfg.spectator_rate),
            std::max<std::size_t>(12, 3 * cfg.spectator_rate)};
  }
  spectator::SpectatorMetrics metrics;
  spectator::SpectatorHub hub;
  spectator::SpectatorFeed feed;
  spectator::SpectatorSocket socket;
};

/// The spectators' state when spectating is on (nullptr when off: no
/// --max-spectators, or no HTTP port to serve them on).
std::unique_ptr<Spectating> make_spectating(const Config& cfg, prometheus::Registry& registry) {
  if (cfg.max_spectators == 0) return nullptr;
  if (cfg.metrics_port == 0) {
    spdlog::warn("--max-spectators {} without an HTTP port (--metrics-port 0): spectating off", cfg.max_spectators);
    return nullptr;
  }
  return std::make_unique<Spectating>(cfg, registry);
}

/// /metrics, /healthz, /readyz and, when `spectating`, the spectator pages
/// and WebSocket, on --metrics-bind:--metrics-port (nullptr when disabled);
/// fails with the reason if the port cannot be bound or civetweb cannot
/// serve WebSockets.
qbot::core::Result<std::unique_ptr<HttpServer>, std::string> serve_http(const Config& cfg,
                                                                        prometheus::Registry& registry,
                                                                        Metrics& metrics, const HealthSignals& health,
                                                                        Spectating* spectating) {
  if (cfg.metrics_port == 0) return std::unique_ptr<HttpServer>{};
  HttpListen listen{cfg.metrics_bind, cfg.metrics_port};
  listen.threads = spectator::http_threads(spectating != nullptr ? cfg.max_spectators : 0);
  auto http = HttpServer::start(listen);
  if (!http) return qbot::core::Err{"--metrics-port: " + http.error()};
  add_server_endpoints(**http, registry, metrics, health, monotonic_now);
  const std::string where = cfg.metrics_bind + ":" + std::to_string((*http)->port());
  spdlog::info("http on {}: /metrics, /healthz, /readyz", where);
  if (spectating != nullptr) {
    auto served = spectator::serve_spectators(**http, spectating->hub, spectating->socket);
    if (!served) return qbot::core::Err{"--max-spectators: " + served.error()};
    spdlog::info("spectators on http://{}/ (up to {}, {} Hz, {} s delay)", where, cfg.max_spectators,
                 cfg.spectator_rate, cfg.spectator_delay_s);
  }
  return std::move(*http);
}

/// The matchmaker of this process (--matchmaker) on its own thread, and the
/// publishing of its totals into the metrics once a second.
class MatchmakerRun {
 public:
  MatchmakerRun(const Config& cfg, Store& store) {
    MatchmakerConfig mc;
    mc.key = qbot::token::derive_key(cfg.token_secret);  // its fingerprint picks the servers it may use
    mc.token_ttl_ms = std::uint64_t{cfg.join_token_ttl_s} * 1000;
    mc.arena_size = static_cast<std::uint32_t>(cfg.arena_size);
    matchmaker_ = std::make_unique<Matchmaker>(store, mc);
    loop_ = std::make_unique<MatchmakerLoop>(*matchmaker_, std::chrono::milliseconds(cfg.matchmaker_interval_ms),
                                             unix_now_ms, unix_now_ms);
    spdlog::info("matchmaker running every {} ms", cfg.matchmaker_interval_ms);
  }
  ~MatchmakerRun() { loop_->stop(); }
  MatchmakerRun(const MatchmakerRun&) = delete;
  MatchmakerRun& operator=(const MatchmakerRun&) = delete;

  void publish(Metrics& metrics) {
    if (monotonic_now() < next_publish_) return;
    next_publish_ = monotonic_now() + std::chrono::seconds(1);
    const PassStats t = loop_->totals();
    metrics.matchmaker_passes.Increment(static_cast<double>(loop_->passes()) - metrics.matchmaker_passes.Value());
    metrics.matchmaker_matches.Increment(static_cast<double>(t.matches_assigned - published_.matches_assigned));
    metrics.matchmaker_conflicts.Increment(static_cast<double>(t.conflicts - published_.conflicts));
    metrics.matchmaker_key_mismatches.Increment(static_cast<double>(t.key_mismatches - published_.key_mismatches));
    published_ = t;
  }

 private:
  std::unique_ptr<Matchmaker> matchmaker_;
  std::unique_ptr<MatchmakerLoop> loop_;
  PassStats published_{};
  std::chrono::nanoseconds next_publish_{0};
};

void log_content(const GameContent& content) {
  const auto& c = content.catalog.catalog;
  spdlog::info("catalog v{}: {} chassis, {} weapons, {} modules, budget {}; {} map(s)", c.version, c.chassis.size(),
               c.weapons.size(), c.modules.size(), c.point_budget, content.maps.size());
}

/// A drain shorter than one matchmade match cuts battles that start just
/// before the signal; say so at startup rather than at the drain.
void warn_short_drain(const Config& cfg) {
  const std::uint32_t longest = cfg.match_join_timeout_s + cfg.countdown_s + cfg.match_duration_s + cfg.results_s;
  if (cfg.drain_timeout_s < longest) {
    spdlog::warn(
        "--drain-timeout {} s is shorter than one matchmade match ({} s of join, countdown, battle and "
        "results): a battle that begins just before SIGTERM will be cut short",
        cfg.drain_timeout_s, longest);
  }
}

/// Logs why the server cannot run and returns the exit code.
int fail(int exit_code, const std::string& why) {
  spdlog::error("{}", why);
  return exit_code;
}

/// The parts of a running process the loop drives.
struct Running {
  Server& server;
  std::unique_ptr<MatchmakerRun>& matchmaker;
  AgonesLink* agones;
  const HealthSignals& health;
  Metrics& metrics;
};

/// One loop iteration: the server's due ticks, then what reports on them.
/// If the tick is stuck inside run_once, nothing after it runs either: no
/// Agones Health ping leaves.
void step(Running& r) {
  r.server.run_once();
  if (r.matchmaker) r.matchmaker->publish(r.metrics);
  if (r.agones == nullptr) return;
  const auto now = monotonic_now();
  AgonesView view;
  view.ready = r.health.readiness().ok;
  view.live = r.health.liveness(now).ok;
  view.draining = r.server.draining();
  view.busy = r.server.busy();
  view.players = static_cast<std::uint32_t>(r.server.player_count());
  view.arenas = static_cast<std::uint32_t>(r.server.arena_count());
  r.agones->update(now, view);
}

/// SIGTERM (or Agones' Shutdown): the battles in progress finish, for up to
/// --drain-timeout; a second signal cuts the wait short (with Agones, the
/// pod's deletion sends the first).
void drain(Running& r, const Config& cfg) {
  const auto started = monotonic_now();
  r.server.begin_drain();
  r.matchmaker.reset();  // this process stops matching the fleet at once
  const auto deadline = started + std::chrono::seconds(cfg.drain_timeout_s);
  while (!r.server.drained()) {
    if (g_signals.load() >= 2) {
      spdlog::warn("drain: second signal, not waiting for {} player(s)", r.server.player_count());
      break;
    }
    if (monotonic_now() >= deadline) {
      spdlog::warn("drain: --drain-timeout {} s passed; {} player(s) still in battles", cfg.drain_timeout_s,
                   r.server.player_count());
      break;
    }
    step(r);
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(monotonic_now() - started);
  spdlog::info("drain over after {} ms", took.count());
}

/// Connects to the Agones sidecar when --agones (or AGONES_SDK_HTTP_PORT) says
/// so; null otherwise. Adjusts cfg's public address to the GameServer's.
qbot::core::Result<std::unique_ptr<AgonesLink>, std::string> connect_agones(Config& cfg, Metrics& metrics) {
  if (auto ok = AgonesLink::adopt_sdk_port(cfg, std::getenv("AGONES_SDK_HTTP_PORT")); !ok)
    return qbot::core::Err{ok.error()};
  if (!AgonesLink::enabled(cfg)) return std::unique_ptr<AgonesLink>{};
  return AgonesLink::connect(cfg, metrics, kAgonesStartupWait);
}

/// --debug-stall-tick-after (tests only): the loop stops where a stuck tick
/// would stop it, so nothing after run_once happens either (no Agones Health),
/// while every other thread keeps running. A signal ends the stall.
void stall_until_signal() {
  spdlog::warn("--debug-stall-tick-after: the tick loop stalls until a signal");
  while (g_signals.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

/// Runs the server until a signal or Agones asks it to stop, then drains it.
void serve(Running& r, const Config& cfg) {
  r.server.apply_realtime_priority();  // last: threads started after this would inherit it
  const auto stall_at = cfg.debug_stall_tick_after_s == 0
                            ? std::chrono::nanoseconds::max()
                            : monotonic_now() + std::chrono::seconds(cfg.debug_stall_tick_after_s);
  while (g_signals.load() == 0 && (r.agones == nullptr || !r.agones->shutdown_requested())) {
    if (monotonic_now() >= stall_at) stall_until_signal();
    step(r);
  }
  drain(r, cfg);
  r.server.shutdown();
  if (r.agones != nullptr) r.agones->finish(kAgonesFinishWait);
}

/// Everything after a valid configuration; returns the exit code.
int run(Config cfg) {
  if (auto ok = complete_identity(cfg); !ok) return fail(2, ok.error());
  auto content = load_game_content(cfg);
  if (!content) return fail(2, content.error());
  log_content(content.value());
  warn_short_drain(cfg);
  prometheus::Registry registry;
  Metrics metrics(registry);
  HealthSignals health(HealthSignals::stale_after_for(cfg.tick_rate));
  auto spectating = make_spectating(cfg, registry);  // before the HTTP server: it outlives it
  auto http = serve_http(cfg, registry, metrics, health, spectating.get());
  if (!http) return fail(2, http.error());
  const StoreClocks clocks{unix_now_ms, [] {
                             return static_cast<std::uint64_t>(
                                 std::chrono::duration_cast<std::chrono::milliseconds>(monotonic_now()).count());
                           }};
  auto stores = open_stores(cfg, metrics, clocks);
  if (!stores) return fail(2, stores.error());
  if (auto ok = check_fleet_secret(cfg, *stores->server); !ok) return fail(2, ok.error());
  auto agones = connect_agones(cfg, metrics);
  if (!agones) return fail(1, agones.error());

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  Server server(cfg, content.value(), metrics, *stores->server, monotonic_now, unix_now_ms, &health);
  if (spectating) server.watch_with(spectating->feed);
  if (auto started = server.start(); !started) return fail(1, "cannot start: " + started.error());
  std::unique_ptr<MatchmakerRun> matchmaker;
  if (cfg.matchmaker) matchmaker = std::make_unique<MatchmakerRun>(cfg, stores->for_matchmaker());
  Running running{server, matchmaker, agones->get(), health, metrics};
  serve(running, cfg);
  http->reset();  // before the server and the metrics its handlers read go away
  return 0;
}

}  // namespace

/// The program; main() only adds the last line of defence around it.
int run_program(int argc, char** argv) {
  Config cfg;
  const ParseOutcome parsed = parse_config(argc, argv, cfg);
  if (!parsed.run) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  return run(std::move(cfg));
}

int main(int argc, char** argv) {
  try {
    return run_program(argc, argv);
  } catch (const std::exception& e) {  // out of memory, a library's exception: say what, do not abort
    std::fprintf(stderr, "qbot-server: fatal: %s\n", e.what());
    return 1;
  }
}
