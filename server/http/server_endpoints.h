#pragma once
// What qbot-server serves on its HTTP port:
//   GET /metrics  Prometheus text format (prometheus-cpp's TextSerializer over
//                 the registry); qbot_live and qbot_ready are refreshed from
//                 the health signals at each scrape.
//   GET /healthz  200 "ok" while a tick completed within the last few tick
//                 periods, else 503 with the reason (a stuck tick).
//   GET /readyz   200 "ok" once listening and (with --redis) the store
//                 reachable; 503 with the reason while not, and while draining.
// The handlers read atomics and the registry only (HealthSignals, metric
// families), never tick-thread state.
#include <chrono>
#include <functional>

#include "server/http/http_server.h"
#include "server/metrics/health_signals.h"
#include "server/metrics/metrics.h"

namespace prometheus {
class Registry;
}

namespace qbot::server {

using MonotonicClock = std::function<std::chrono::nanoseconds()>;

/// Adds /metrics, /healthz and /readyz to `http`. Everything passed in must
/// outlive `http`; `clock` must be the one the tick stamps HealthSignals with.
void add_server_endpoints(HttpServer& http, prometheus::Registry& registry, Metrics& metrics,
                          const HealthSignals& health, MonotonicClock clock);

}  // namespace qbot::server
