#include "core/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace qbot::core {

unsigned Histogram::bucket_of(std::uint64_t v) {
  if (v < kLinear) return static_cast<unsigned>(v);
  const unsigned msb = 63u - static_cast<unsigned>(std::countl_zero(v));  // >= 6
  const unsigned sub = static_cast<unsigned>((v >> (msb - 5)) & (kSubBuckets - 1));
  const unsigned b = kLinear + (msb - 6) * kSubBuckets + sub;
  return std::min(b, kBuckets - 1);
}

std::uint64_t Histogram::lower_edge(unsigned b) {
  if (b < kLinear) return b;
  const unsigned octave = (b - kLinear) / kSubBuckets;
  const unsigned sub = (b - kLinear) % kSubBuckets;
  const unsigned msb = octave + 6;
  return (std::uint64_t{1} << msb) | (std::uint64_t{sub} << (msb - 5));
}

void Histogram::record(std::uint64_t v) {
  counts_[bucket_of(v)] += 1;
  count_ += 1;
  sum_ += v;
  max_ = std::max(max_, v);
}

void Histogram::merge(const Histogram& o) {
  for (unsigned i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
  count_ += o.count_;
  sum_ += o.sum_;
  max_ = std::max(max_, o.max_);
}

std::uint64_t Histogram::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (unsigned i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= std::max<std::uint64_t>(rank, 1)) return std::min(lower_edge(i), max_);
  }
  return max_;
}

}  // namespace qbot::core
