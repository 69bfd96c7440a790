#pragma once
// Deterministic PRNG (PCG32, O'Neill). The simulation draws all randomness
// from its own Rng so that the same seed replays to the same world.
#include <cstdint>

namespace qbot::core {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0x853c49e6748fea9bULL, std::uint64_t stream = 0xda3e39cb94b95bdbULL) {
    state_ = 0;
    inc_ = (stream << 1u) | 1u;
    next_u32();
    state_ += seed;
    next_u32();
  }

  std::uint32_t next_u32() {
    const std::uint64_t old = state_;
    state_ = old * 6364136223846793005ULL + inc_;
    const auto xorshifted = static_cast<std::uint32_t>(((old >> 18u) ^ old) >> 27u);
    const auto rot = static_cast<std::uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
  }

  /// Uniform in [0, bound) without modulo bias; bound 0 returns 0.
  std::uint32_t below(std::uint32_t bound) {
    if (bound == 0) return 0;
    const std::uint32_t threshold = (0u - bound) % bound;
    for (;;) {
      const std::uint32_t r = next_u32();
      if (r >= threshold) return r % bound;
    }
  }

  /// Uniform float in [0, 1).
  float unit() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }

  /// Uniform float in [lo, hi).
  float range(float lo, float hi) { return lo + (hi - lo) * unit(); }

  std::uint64_t state() const { return state_; }
  std::uint64_t stream() const { return inc_; }

 private:
  std::uint64_t state_;
  std::uint64_t inc_;
};

}  // namespace qbot::core
