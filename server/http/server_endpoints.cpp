#include "server/http/server_endpoints.h"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace qbot::server {
namespace {

constexpr const char* kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";

HttpReply verdict_reply(const HealthSignals::Verdict& v) { return HttpReply{v.ok ? 200 : 503, {}, v.why + "\n"}; }

}  // namespace

void add_server_endpoints(HttpServer& http, prometheus::Registry& registry, Metrics& metrics,
                          const HealthSignals& health, MonotonicClock clock) {
  http.route("/metrics", [&registry, &metrics, &health, clock] {
    const auto now = clock();
    metrics.live.Set(health.liveness(now).ok ? 1 : 0);
    metrics.ready.Set(health.readiness().ok ? 1 : 0);
    metrics.since_last_tick.Set(std::chrono::duration<double>(health.since_last_tick(now)).count());
    return HttpReply{200, kPrometheusText, prometheus::TextSerializer().Serialize(registry.Collect())};
  });
  http.route("/healthz", [&health, clock] { return verdict_reply(health.liveness(clock())); });
  http.route("/readyz", [&health] { return verdict_reply(health.readiness()); });
}

}  // namespace qbot::server
