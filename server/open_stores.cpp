#include "server/open_stores.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string_view>
#include <utility>

#include "server/matchmaking/fleet_keys.h"
#include "server/store/counted_store.h"
#include "server/store/memory_store.h"
#include "server/store/redis_store.h"
#include "server/store/redis_url.h"
#include "token/record_mac.h"

namespace qbot::server {
namespace {

constexpr std::chrono::milliseconds kRedisTimeout{2000};

/// Where --redis and --redis-sentinel say the store's Redis is.
core::Result<RedisEndpoint, std::string> redis_endpoint(const Config& cfg) {
  RedisEndpoint where;
  if (!cfg.redis.empty()) {
    auto url = parse_redis_url(cfg.redis);
    if (!url) return core::Err{"--redis: " + url.error()};
    where.url = std::move(*url);
  }
  if (!cfg.redis_sentinel.empty()) {
    auto sentinels = parse_host_ports(cfg.redis_sentinel);
    if (!sentinels) return core::Err{"--redis-sentinel: " + sentinels.error()};
    where.sentinels = std::move(*sentinels);
    where.master = cfg.redis_master;
  }
  return where;
}

RedisOptions redis_options(const Config& cfg, const StoreClocks& clocks) {
  RedisOptions o;
  o.prefix = cfg.redis_prefix;
  o.timeout = kRedisTimeout;
  o.record_key = token::record_key(token::derive_key(cfg.token_secret));
  o.unix_ms = clocks.unix_ms;
  o.wait_replicas = cfg.redis_wait_replicas;
  return o;
}

/// A store failure at most once per operation in this long is logged.
constexpr std::uint64_t kStoreLogPeriodMs = 10'000;

/// `inner` with every failure counted in qbot_store_errors_total{op} and
/// logged at most once per operation per kStoreLogPeriodMs.
std::unique_ptr<Store> counted(std::unique_ptr<Store> inner, Metrics& metrics, const StoreClocks& clocks,
                               const char* user) {
  for (const std::string_view op : kStoreOps) metrics.store_error(op);  // every op exported from 0
  auto report = [&metrics, user](const StoreFailure& f) {
    metrics.store_error(f.op).Increment(static_cast<double>(f.count));
    if (!f.log) return;
    spdlog::warn("store ({}): {}: {} failure(s): {} ({} more not logged since the last line)", user, f.op, f.count,
                 f.why, f.suppressed);
  };
  return std::make_unique<CountedStore>(std::move(inner), std::move(report), clocks.monotonic_ms, kStoreLogPeriodMs);
}

}  // namespace

core::Result<Stores, std::string> open_stores(const Config& cfg, Metrics& metrics, const StoreClocks& clocks) {
  Stores stores;
  if (!cfg.uses_redis()) {
    // Wall-clock ms like Redis TIME: ticket ages and token expiry share one clock.
    auto memory =
        std::make_unique<MemoryStore>([unix_ms = clocks.unix_ms] { return std::chrono::milliseconds(unix_ms()); });
    memory->keep_results(cfg.results_stream_max);
    stores.server = counted(std::move(memory), metrics, clocks, "server");
    spdlog::info("no --redis given: using the in-memory store (single process, nothing persists)");
    return stores;
  }
  auto where = redis_endpoint(cfg);
  if (!where) return core::Err{where.error()};
  auto redis = std::make_unique<RedisStore>(*where, redis_options(cfg, clocks));
  redis->keep_results(cfg.results_stream_max);
  stores.server = counted(std::move(redis), metrics, clocks, "server");
  if (cfg.matchmaker) {
    stores.matchmaker =
        counted(std::make_unique<RedisStore>(*where, redis_options(cfg, clocks)), metrics, clocks, "matchmaker");
  }
  return stores;
}

core::Result<bool, std::string> check_fleet_secret(const Config& cfg, Store& store) {
  if (!cfg.uses_redis()) return true;
  // registry_view, not live_servers: a server of another key writes entries
  // our key cannot verify, which live_servers leaves out.
  auto registry = store.registry_view();
  if (!registry) {
    spdlog::warn("cannot read the registry to compare token keys: {}", registry.error().message);
    return true;
  }
  const std::string fingerprint = token::key_fingerprint(token::derive_key(cfg.token_secret));
  const auto refusal = fleet_key_refusal(check_fleet_keys(*registry, cfg.server_id, fingerprint), fingerprint,
                                         cfg.token_secret_is_random);
  if (refusal) return core::Err{"refusing to start: " + *refusal};
  return true;
}

}  // namespace qbot::server
