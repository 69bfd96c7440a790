#pragma once
// Token bucket on caller-supplied time. `allow` spends one token; the
// bucket refills at `rate_per_s` up to `burst` tokens.
#include <algorithm>
#include <chrono>
#include <cstdint>

namespace qbot::server {

class RateLimiter {
 public:
  RateLimiter(std::uint32_t rate_per_s, std::uint32_t burst)
      : rate_per_s_(static_cast<double>(rate_per_s)), burst_(static_cast<double>(burst)), tokens_(burst_) {}

  bool allow(std::chrono::nanoseconds now) {
    if (last_.count() != 0 && now > last_) {
      const double dt = std::chrono::duration<double>(now - last_).count();
      tokens_ = std::min(burst_, tokens_ + dt * rate_per_s_);
    }
    last_ = now;
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return true;
    }
    return false;
  }

 private:
  double rate_per_s_;
  double burst_;
  double tokens_;
  std::chrono::nanoseconds last_{0};
};

}  // namespace qbot::server
