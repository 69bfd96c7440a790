#include "core/bit_stream.h"

namespace qbot::core {
namespace {
// Width classes of var_u, selected by a unary prefix: 0, 10, 110, 1110, 1111.
constexpr unsigned kVarWidths[] = {4, 8, 12, 16, 32};
}  // namespace

void BitWriter::finish() {
  if (scratch_bits_ > 0) out_.push_back(static_cast<std::uint8_t>(scratch_));
  scratch_ = 0;
  scratch_bits_ = 0;
}

void BitWriter::var_u(std::uint32_t value) {
  // Prefix and payload in one write: `cls` ones then a zero (the last class
  // has no zero), LSB first, so the prefix is the number 2^cls - 1.
  for (unsigned cls = 0; cls < 4; ++cls) {
    const unsigned w = kVarWidths[cls];
    if (value < (1u << w)) {
      put(((1u << cls) - 1u) | (std::uint64_t{value} << (cls + 1)), cls + 1 + w);
      return;
    }
  }
  put(0xfu | (std::uint64_t{value} << 4), 36);
}

void BitWriter::var_s(std::int32_t value) { var_u(zigzag(value)); }

std::uint32_t BitReader::bits(unsigned n) {
  if (failed_) return 0;
  if (bit_pos_ + n > in_.size() * 8) {
    failed_ = true;
    return 0;
  }
  if (n == 0) return 0;
  // Gather the (at most 5) bytes covering the requested bits.
  const std::size_t first = bit_pos_ >> 3;
  const unsigned shift = static_cast<unsigned>(bit_pos_ & 7u);
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < 5 && first + i < in_.size(); ++i) word |= std::uint64_t{in_[first + i]} << (8 * i);
  bit_pos_ += n;
  const std::uint64_t mask = n >= 32 ? 0xffffffffULL : ((1ULL << n) - 1ULL);
  return static_cast<std::uint32_t>((word >> shift) & mask);
}

std::uint32_t BitReader::var_u() {
  unsigned cls = 0;
  while (cls < 4 && bits(1) == 1) ++cls;
  return bits(kVarWidths[cls]);
}

std::int32_t BitReader::var_s() { return unzigzag(var_u()); }

}  // namespace qbot::core
