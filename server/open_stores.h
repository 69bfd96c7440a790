#pragma once
// The stores one qbot-server process talks to, opened from its Config: Redis
// (by --redis URL or found through --redis-sentinel) or, with neither, the
// in-memory store. Each is wrapped in a CountedStore, so every failure is
// counted in qbot_store_errors_total{op} and logged at most once per
// operation per 10 s. And the start-up check that this server's token key
// matches the live servers' in the registry.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "server/config.h"
#include "server/metrics/metrics.h"
#include "server/store/store.h"

namespace qbot::server {

/// The server's store (its IoWorker thread) and the matchmaker's. With Redis
/// each has its own connection, so a long matchmaking pass never delays a
/// heartbeat or a garage request; in memory they are the same store.
struct Stores {
  std::unique_ptr<Store> server;
  std::unique_ptr<Store> matchmaker;  // null: the matchmaker uses `server`
  Store& for_matchmaker() { return matchmaker ? *matchmaker : *server; }
};

/// The clocks the stores read (the caller owns the real ones): Unix
/// milliseconds (ticket ages, token expiry, like Redis TIME) and a monotonic
/// millisecond count (the failure log's rate limit).
struct StoreClocks {
  std::function<std::uint64_t()> unix_ms;
  std::function<std::uint64_t()> monotonic_ms;
};

/// Fails only on a --redis or --redis-sentinel that does not parse (the
/// message names the flag); an unreachable Redis is not an error here: the
/// store reconnects on its own and its calls fail with Io until then.
core::Result<Stores, std::string> open_stores(const Config& cfg, Metrics& metrics, const StoreClocks& clocks);

/// With Redis: refuses to join a registry whose live servers hold another
/// token key (they could not verify each other's join tokens), naming the
/// fix. An unreachable store is not a refusal: the heartbeat checks again.
core::Result<bool, std::string> check_fleet_secret(const Config& cfg, Store& store);

}  // namespace qbot::server
