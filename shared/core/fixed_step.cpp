#include "core/fixed_step.h"

namespace qbot::core {

FixedStep::FixedStep(std::uint32_t tick_rate, std::uint32_t max_catch_up)
    : step_(std::chrono::nanoseconds(1'000'000'000LL / (tick_rate == 0 ? 1 : tick_rate))),
      max_catch_up_(max_catch_up == 0 ? 1 : max_catch_up) {}

void FixedStep::start(Duration now) { next_due_ = now + step_; }

std::uint32_t FixedStep::advance(Duration now) {
  if (now < next_due_) return 0;
  // Ticks whose due time has passed: floor((now - next_due) / step) + 1.
  const auto behind = static_cast<std::uint64_t>((now - next_due_) / step_) + 1;
  std::uint64_t run = behind;
  if (run > max_catch_up_) {
    dropped_ += run - max_catch_up_;
    run = max_catch_up_;
  }
  // Skip the dropped ticks entirely so the schedule stays phase-aligned.
  next_due_ += step_ * static_cast<std::int64_t>(behind);
  return static_cast<std::uint32_t>(run);
}

std::uint32_t FixedStep::due_at(Duration now) const {
  if (now < next_due_) return 0;
  const auto behind = static_cast<std::uint64_t>((now - next_due_) / step_) + 1;
  return static_cast<std::uint32_t>(behind > max_catch_up_ ? max_catch_up_ : behind);
}

FixedStep::Duration FixedStep::until_next(Duration now) const {
  return now >= next_due_ ? Duration{0} : next_due_ - now;
}

}  // namespace qbot::core
