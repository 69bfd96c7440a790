// qbot-server entry point: flags/env/config -> Config -> stores, metrics,
// Server and matchmaker -> the loop until SIGINT/SIGTERM.
// The ONLY place that reads the wall clock; everything else is handed `now`.
#include <prometheus/exposer.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <memory>

#include "core/hash.h"
#include "core/quoted.h"
#include "core/text.h"
#include "proto/limits.h"
#include "server/config.h"
#include "server/game_content.h"
#include "server/matchmaking/matchmaker.h"
#include "server/metrics/metrics.h"
#include "server/server.h"
#include "server/store/memory_store.h"
#include "server/store/redis_store.h"
#include "server/store/redis_url.h"
#include "token/record_mac.h"

namespace {

using namespace qbot::server;

constexpr std::chrono::milliseconds kRedisTimeout{2000};

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop.store(true); }

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

/// /metrics on --metrics-bind:--metrics-port (nullptr when disabled); fails
/// with the reason if the port cannot be bound.
qbot::core::Result<std::unique_ptr<prometheus::Exposer>, std::string> serve_metrics(
    const Config& cfg, const std::shared_ptr<prometheus::Registry>& registry) {
  if (cfg.metrics_port == 0) return std::unique_ptr<prometheus::Exposer>{};
  const std::string where = cfg.metrics_bind + ":" + std::to_string(cfg.metrics_port);
  try {
    auto exposer = std::make_unique<prometheus::Exposer>(where);
    exposer->RegisterCollectable(registry);
    spdlog::info("metrics on http://{}/metrics", where);
    return exposer;
  } catch (const std::exception& e) {
    return qbot::core::Err{"--metrics-port: cannot serve /metrics on " + where + ": " + e.what()};
  }
}

/// The server's store (its IoWorker thread) and the matchmaker's. With Redis
/// each has its own connection, so a long matchmaking pass never delays a
/// heartbeat or a garage request; in memory they are the same store.
struct Stores {
  std::unique_ptr<Store> server;
  std::unique_ptr<Store> matchmaker;  // null: the matchmaker uses `server`
  Store& for_matchmaker() { return matchmaker ? *matchmaker : *server; }
};

/// Where --redis and --redis-sentinel say the store's Redis is.
qbot::core::Result<RedisEndpoint, std::string> redis_endpoint(const Config& cfg) {
  RedisEndpoint where;
  if (!cfg.redis.empty()) {
    auto url = parse_redis_url(cfg.redis);
    if (!url) return qbot::core::Err{"--redis: " + url.error()};
    where.url = std::move(*url);
  }
  if (!cfg.redis_sentinel.empty()) {
    auto sentinels = parse_host_ports(cfg.redis_sentinel);
    if (!sentinels) return qbot::core::Err{"--redis-sentinel: " + sentinels.error()};
    where.sentinels = std::move(*sentinels);
    where.master = cfg.redis_master;
  }
  return where;
}

RedisOptions redis_options(const Config& cfg) {
  RedisOptions o;
  o.prefix = cfg.redis_prefix;
  o.timeout = kRedisTimeout;
  o.record_key = qbot::token::record_key(qbot::token::derive_key(cfg.token_secret));
  o.unix_ms = unix_now_ms;
  o.wait_replicas = cfg.redis_wait_replicas;
  return o;
}

qbot::core::Result<Stores, std::string> open_stores(const Config& cfg) {
  Stores stores;
  if (cfg.redis.empty() && cfg.redis_sentinel.empty()) {
    // Wall-clock ms like Redis TIME: ticket ages and token expiry share one clock.
    auto memory = std::make_unique<MemoryStore>([] { return std::chrono::milliseconds(unix_now_ms()); });
    memory->keep_results(cfg.results_stream_max);
    stores.server = std::move(memory);
    spdlog::info("no --redis given: using the in-memory store (single process, nothing persists)");
    return stores;
  }
  auto where = redis_endpoint(cfg);
  if (!where) return qbot::core::Err{where.error()};
  auto redis = std::make_unique<RedisStore>(*where, redis_options(cfg));
  redis->keep_results(cfg.results_stream_max);
  stores.server = std::move(redis);
  if (cfg.matchmaker) stores.matchmaker = std::make_unique<RedisStore>(*where, redis_options(cfg));
  return stores;
}

/// The matchmaker of this process (--matchmaker) on its own thread, and the
/// publishing of its totals into the metrics once a second.
class MatchmakerRun {
 public:
  MatchmakerRun(const Config& cfg, Store& store) {
    MatchmakerConfig mc;
    mc.key = qbot::token::derive_key(cfg.token_secret);
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

/// Logs why the server cannot run and returns the exit code.
int fail(int exit_code, const std::string& why) {
  spdlog::error("{}", why);
  return exit_code;
}

/// Everything after a valid configuration; returns the exit code.
int run(Config cfg) {
  if (auto ok = complete_identity(cfg); !ok) return fail(2, ok.error());
  auto content = load_game_content(cfg);
  if (!content) return fail(2, content.error());
  log_content(content.value());
  auto registry = std::make_shared<prometheus::Registry>();
  Metrics metrics(*registry);
  auto exposer = serve_metrics(cfg, registry);
  if (!exposer) return fail(2, exposer.error());
  auto stores = open_stores(cfg);
  if (!stores) return fail(2, stores.error());

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  Server server(cfg, content.value(), metrics, *stores->server, monotonic_now, unix_now_ms);
  if (auto started = server.start(); !started) return fail(1, "cannot start: " + started.error());
  std::unique_ptr<MatchmakerRun> matchmaker;
  if (cfg.matchmaker) matchmaker = std::make_unique<MatchmakerRun>(cfg, stores->for_matchmaker());

  server.apply_realtime_priority();  // last: threads started after this would inherit it
  while (!g_stop.load()) {
    server.run_once();
    if (matchmaker) matchmaker->publish(metrics);
  }
  matchmaker.reset();  // stops the loop before the server's store goes away
  server.shutdown();
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
