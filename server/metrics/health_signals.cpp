#include "server/metrics/health_signals.h"

#include <algorithm>

namespace qbot::server {

HealthSignals::Nanos HealthSignals::stale_after_for(std::uint32_t tick_rate) {
  const Nanos period = std::chrono::nanoseconds(1'000'000'000LL / std::max<std::uint32_t>(tick_rate, 1));
  return std::max<Nanos>(kStaleTicks * period, kMinStale);
}

HealthSignals::Nanos HealthSignals::since_last_tick(Nanos now) const {
  const std::int64_t last = last_tick_ns_.load(std::memory_order_acquire);
  if (last == 0) return Nanos{0};
  return std::max<Nanos>(now - Nanos{last}, Nanos{0});
}

HealthSignals::Verdict HealthSignals::liveness(Nanos now) const {
  if (last_tick_ns_.load(std::memory_order_acquire) == 0) return {false, "no tick has completed yet"};
  const Nanos since = since_last_tick(now);
  if (since > stale_after_) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since).count();
    const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(stale_after_).count();
    return {false, "tick stuck: the last tick completed " + std::to_string(ms) + " ms ago (limit " +
                       std::to_string(limit) + " ms)"};
  }
  return {true, "ok"};
}

HealthSignals::Verdict HealthSignals::readiness() const {
  if (draining_.load(std::memory_order_acquire)) return {false, "draining: no new players"};
  if (!listening_.load(std::memory_order_acquire)) return {false, "not listening yet"};
  if (!store_reachable_.load(std::memory_order_acquire))
    return {false, "store unreachable (registry heartbeat failed)"};
  return {true, "ok"};
}

}  // namespace qbot::server
