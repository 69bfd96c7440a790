#pragma once
// What the server says about its own health, for readers on other threads:
// the HTTP handlers (/healthz, /readyz, the qbot_live / qbot_ready gauges)
// and whoever else asks. Atomics only: the tick thread and the IoWorker
// publish, readers never touch tick-thread state and never wait for it.
//
//   live  = a tick completed within stale_after (a few tick periods): a stuck
//           or dead tick thread turns it false.
//   ready = listening, the store answered the last registry heartbeat, and not
//           draining (a draining server takes no new players).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace qbot::server {

class HealthSignals {
 public:
  using Nanos = std::chrono::nanoseconds;

  /// Ticks that may pass without one completing before the server counts as
  /// stuck, and the least time that is (so a fast tick rate does not flap).
  static constexpr std::uint32_t kStaleTicks = 6;
  static constexpr Nanos kMinStale = std::chrono::milliseconds(100);
  /// The staleness limit for `tick_rate` Hz: kStaleTicks periods, at least kMinStale.
  static Nanos stale_after_for(std::uint32_t tick_rate);

  explicit HealthSignals(Nanos stale_after) : stale_after_(stale_after) {}

  // --- tick thread ---------------------------------------------------------
  void tick_completed(Nanos now) { last_tick_ns_.store(now.count(), std::memory_order_release); }
  void set_listening() { listening_.store(true, std::memory_order_release); }
  void set_draining() { draining_.store(true, std::memory_order_release); }
  // --- IoWorker (the registry heartbeat's outcome) -------------------------
  void set_store_reachable(bool reachable) { store_reachable_.store(reachable, std::memory_order_release); }

  // --- any thread ------------------------------------------------------------
  struct Verdict {
    bool ok = false;
    std::string why;  // for people: "ok", or what is wrong
  };
  /// Live iff a tick completed within stale_after of `now` (the same clock as
  /// tick_completed). Never fails; before the first tick it is not live.
  Verdict liveness(Nanos now) const;
  Verdict readiness() const;
  /// Time since the last completed tick (0 before the first one).
  Nanos since_last_tick(Nanos now) const;
  bool draining() const { return draining_.load(std::memory_order_acquire); }
  Nanos stale_after() const { return stale_after_; }

 private:
  const Nanos stale_after_;
  std::atomic<std::int64_t> last_tick_ns_{0};  // 0 = no tick yet
  std::atomic<bool> listening_{false};
  std::atomic<bool> store_reachable_{false};
  std::atomic<bool> draining_{false};
};

}  // namespace qbot::server
