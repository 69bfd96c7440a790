// qbot-server entry point: flags/env/config -> Config -> Server.
// The ONLY place that reads the wall clock; everything else is handed `now`.
#include <prometheus/exposer.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <memory>

#include "core/hash.h"
#include "core/text.h"
#include "proto/limits.h"
#include "server/config.h"
#include "server/game_content.h"
#include "server/matchmaking/matchmaker.h"
#include "server/store/memory_store.h"
#include "server/store/redis_store.h"
#include "server/store/redis_url.h"
#include "server/metrics/metrics.h"
#include "server/server.h"

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop.store(true); }

std::uint64_t unix_now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
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

}  // namespace

int main(int argc, char** argv) {
  using namespace qbot::server;
  Config cfg;
  const ParseOutcome parsed = parse_config(argc, argv, cfg);
  if (!parsed.run) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  if (cfg.server_id.empty()) cfg.server_id = default_server_id(cfg.port);
  if (!valid_server_id(cfg.server_id)) {
    spdlog::error("--server-id must be 1..64 of [A-Za-z0-9._-], got '{}'", cfg.server_id);
    return 2;
  }
  if (cfg.seed == 0) {
    qbot::core::Fnv1a h;
    h.add(std::string_view(cfg.server_id));
    cfg.seed = h.value();
  }

  auto content = load_game_content(cfg);
  if (!content) {
    spdlog::error("{}", content.error());
    return 2;
  }
  spdlog::info("catalog v{}: {} chassis, {} weapons, {} modules, budget {}; {} map(s)",
               content.value().catalog.catalog.version, content.value().catalog.catalog.chassis.size(),
               content.value().catalog.catalog.weapons.size(), content.value().catalog.catalog.modules.size(),
               content.value().catalog.catalog.point_budget, content.value().maps.size());

  auto registry = std::make_shared<prometheus::Registry>();
  Metrics metrics(*registry);
  std::unique_ptr<prometheus::Exposer> exposer;
  if (cfg.metrics_port != 0) {
    const std::string where = cfg.metrics_bind + ":" + std::to_string(cfg.metrics_port);
    try {
      exposer = std::make_unique<prometheus::Exposer>(where);
      exposer->RegisterCollectable(registry);
    } catch (const std::exception& e) {
      spdlog::error("--metrics-port: cannot serve /metrics on {}: {}", where, e.what());
      return 2;
    }
    spdlog::info("metrics on http://{}/metrics", where);
  }

  if (cfg.token_secret.empty()) {
    // Development: one random secret shared by this process's server and
    // matchmaker (Server warns that tokens are valid on this server only).
    const auto key = qbot::token::random_key();
    cfg.token_secret.assign(key.begin(), key.end());
    cfg.token_secret_is_random = true;
  }

  // The server's store (its IoWorker thread) and the matchmaker's: with
  // Redis each has its own connection, so a long matchmaking pass never
  // delays a heartbeat or a garage request.
  std::unique_ptr<Store> store;
  std::unique_ptr<Store> matchmaker_store;
  if (cfg.redis.empty()) {
    // Wall-clock ms like Redis TIME: ticket ages and token expiry share one clock.
    auto memory = std::make_unique<MemoryStore>([] { return std::chrono::milliseconds(unix_now_ms()); });
    memory->keep_results(cfg.results_stream_max);
    store = std::move(memory);
    spdlog::info("no --redis given: using the in-memory store (single process, nothing persists)");
  } else {
    auto url = parse_redis_url(cfg.redis);
    if (!url) {
      spdlog::error("--redis: {}", url.error());
      return 2;
    }
    auto redis = std::make_unique<RedisStore>(*url, cfg.redis_prefix, std::chrono::milliseconds(2000));
    redis->keep_results(cfg.results_stream_max);
    store = std::move(redis);
    if (cfg.matchmaker) {
      matchmaker_store = std::make_unique<RedisStore>(*url, cfg.redis_prefix, std::chrono::milliseconds(2000));
    }
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  Server server(cfg, content.value(), metrics, *store, monotonic_now, unix_now_ms);
  if (auto started = server.start(); !started) {
    spdlog::error("cannot start: {}", started.error());
    return 1;
  }

  std::unique_ptr<Matchmaker> matchmaker;
  std::unique_ptr<MatchmakerLoop> matchmaker_loop;
  if (cfg.matchmaker) {
    MatchmakerConfig mc;
    mc.key = qbot::token::derive_key(cfg.token_secret);
    mc.token_ttl_ms = std::uint64_t{cfg.join_token_ttl_s} * 1000;
    mc.arena_size = static_cast<std::uint32_t>(cfg.arena_size);
    matchmaker = std::make_unique<Matchmaker>(matchmaker_store ? *matchmaker_store : *store, mc);
    matchmaker_loop = std::make_unique<MatchmakerLoop>(*matchmaker, std::chrono::milliseconds(cfg.matchmaker_interval_ms),
                                                       unix_now_ms, unix_now_ms);
    spdlog::info("matchmaker running every {} ms", cfg.matchmaker_interval_ms);
  }

  server.apply_realtime_priority();  // last: threads started after this would inherit it
  PassStats published{};
  auto next_publish = monotonic_now();
  while (!g_stop.load()) {
    server.run_once();
    if (matchmaker_loop && monotonic_now() >= next_publish) {
      next_publish = monotonic_now() + std::chrono::seconds(1);
      const PassStats t = matchmaker_loop->totals();
      metrics.matchmaker_passes.Increment(static_cast<double>(matchmaker_loop->passes()) - metrics.matchmaker_passes.Value());
      metrics.matchmaker_matches.Increment(static_cast<double>(t.matches_assigned - published.matches_assigned));
      metrics.matchmaker_conflicts.Increment(static_cast<double>(t.conflicts - published.conflicts));
      published = t;
    }
  }
  if (matchmaker_loop) matchmaker_loop->stop();
  server.shutdown();
  return 0;
}
