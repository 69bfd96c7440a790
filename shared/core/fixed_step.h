#pragma once
// Fixed-step accumulator (Fiedler, "Fix Your Timestep"): turns wall time,
// passed in by the caller, into a whole number of simulation ticks.
// It never reads a clock itself, so tests drive it with virtual time.
#include <chrono>
#include <cstdint>

namespace qbot::core {

class FixedStep {
 public:
  using Duration = std::chrono::nanoseconds;

  /// tick_rate in Hz; max_catch_up = most ticks one advance() may return.
  /// When the caller falls further behind than that, the excess time is
  /// dropped (counted in dropped_ticks()) instead of spiralling.
  FixedStep(std::uint32_t tick_rate, std::uint32_t max_catch_up);

  /// Starts the clock at `now` (no ticks are due yet).
  void start(Duration now);

  /// Number of ticks due at `now`, capped by max_catch_up.
  std::uint32_t advance(Duration now);

  /// What advance(now) would return, without advancing.
  std::uint32_t due_at(Duration now) const;

  /// Time until the next tick is due (0 if one is due already).
  Duration until_next(Duration now) const;

  Duration step() const { return step_; }
  std::uint64_t dropped_ticks() const { return dropped_; }

 private:
  Duration step_;
  std::uint32_t max_catch_up_;
  Duration next_due_{0};
  std::uint64_t dropped_ = 0;
};

}  // namespace qbot::core
