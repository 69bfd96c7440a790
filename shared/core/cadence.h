#pragma once
// Periodic work on the tick loop, as Redis's serverCron runs it through
// run_with_period(): a period in milliseconds becomes a whole number of
// ticks once, and `due(tick)` says whether this tick runs the work. A period
// shorter than one tick runs every tick. Pure arithmetic on the tick count:
// virtual time in tests gives the same cadence as wall time.
#include <algorithm>
#include <cstdint>

namespace qbot::core {

class Cadence {
 public:
  constexpr Cadence() = default;
  constexpr Cadence(std::uint64_t period_ms, std::uint32_t tick_rate)
      : ticks_(std::max<std::uint64_t>(1, period_ms * tick_rate / 1000)) {}

  /// True on every period_ticks()-th tick (ticks count from 1).
  constexpr bool due(std::uint64_t tick) const { return tick % ticks_ == 0; }
  constexpr std::uint64_t period_ticks() const { return ticks_; }

 private:
  std::uint64_t ticks_ = 1;
};

}  // namespace qbot::core
