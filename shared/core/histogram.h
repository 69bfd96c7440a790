#pragma once
// Fixed-memory latency histogram with log-linear buckets (HdrHistogram-like,
// ~3% relative error): values 0..63 exact, then 32 buckets per power of two.
// Mergeable, so each thread keeps its own and a reporter adds them up.
#include <array>
#include <cstdint>

namespace qbot::core {

class Histogram {
 public:
  static constexpr unsigned kSubBuckets = 32;
  static constexpr unsigned kLinear = 64;
  static constexpr unsigned kBuckets = kLinear + 58 * kSubBuckets;

  void record(std::uint64_t value);
  void merge(const Histogram& other);
  void clear() { *this = Histogram{}; }

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  /// Value at quantile q in [0,1] (lower edge of its bucket; 0 when empty).
  std::uint64_t quantile(double q) const;
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_); }

 private:
  static unsigned bucket_of(std::uint64_t v);
  static std::uint64_t lower_edge(unsigned bucket);

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace qbot::core
