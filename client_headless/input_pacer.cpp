#include "client_headless/input_pacer.h"

#include <algorithm>

namespace qbot::client {

void InputPacer::start(Nanos now, std::uint32_t tick_rate) {
  // Rounded to the nearest nanosecond: at 60 Hz 16'666'667 ns, so the
  // interval never runs ahead of the server's tick (a truncated 16'666'666
  // would make "due exactly one tick after a resume" fire 1 ns early).
  const std::int64_t rate = tick_rate == 0 ? 60 : tick_rate;
  nominal_ = Nanos{(1'000'000'000LL + rate / 2) / rate};
  next_ = now;
  smoothed_ = kTargetQueue;
  stretch_ = 1.0;
  resumes_ = 0;
}

InputPacer::Nanos InputPacer::interval() const {
  return Nanos{static_cast<std::int64_t>(static_cast<double>(nominal_.count()) * stretch_)};
}

std::uint32_t InputPacer::due(Nanos now) {
  if (now < next_) return 0;
  const Nanos step = interval();
  const Nanos late = now - next_;
  if (late < step) {
    next_ += step;
    return 1;
  }
  if (catch_up_) {
    // One command per missed interval, all at once: what a naive client does.
    const auto missed = static_cast<std::uint32_t>(std::min<std::int64_t>(late / step + 1, 64));
    next_ = now + step;
    return missed;
  }
  resumes_ += 1;
  next_ = now + step;
  return 1;
}

InputPacer::Nanos InputPacer::until_next(Nanos now) const { return now >= next_ ? Nanos{0} : next_ - now; }

void InputPacer::on_feedback(std::uint8_t input_queue) {
  smoothed_ += kSmoothing * (static_cast<double>(input_queue) - smoothed_);
  // More waiting than wanted: send more slowly (a longer interval); fewer: faster.
  stretch_ = 1.0 + std::clamp(kGain * (smoothed_ - kTargetQueue), -kMaxStretch, kMaxStretch);
}

}  // namespace qbot::client
