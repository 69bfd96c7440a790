#pragma once
// Bit-level writer/reader for the snapshot entity stream (PROTOCOL.md §5).
// Bits are packed LSB-first into bytes. The reader never reads past its span:
// an overrun sets failed() and returns zeros, so a hostile stream can only
// ever produce a decode error, never an out-of-bounds read.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace qbot::core {

class BitWriter {
 public:
  explicit BitWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  /// Writes the low `bits` bits of `value` (0 <= bits <= 32).
  void bits(std::uint32_t value, unsigned bits) { put(bits >= 32 ? value : (value & ((1u << bits) - 1u)), bits); }
  void flag(bool b) { put(b ? 1u : 0u, 1); }

  /// Variable-length unsigned: prefix-coded width class 4/8/12/16/32 bits.
  void var_u(std::uint32_t value);
  /// Variable-length signed (zigzag, then var_u).
  void var_s(std::int32_t value);

  /// Flushes the partial last byte (zero padded). Call once, after the last write.
  void finish();

  /// Number of bits written so far.
  std::size_t bit_count() const { return bit_count_; }

 private:
  // Inline and byte-at-a-time only when a whole byte is ready: this runs
  // for every field of every entity of every client's snapshot, every tick.
  void put(std::uint64_t masked, unsigned n) {  // masked < 2^n, n <= 36
    scratch_ |= masked << scratch_bits_;
    scratch_bits_ += n;
    bit_count_ += n;
    while (scratch_bits_ >= 8) {
      out_.push_back(static_cast<std::uint8_t>(scratch_));
      scratch_ >>= 8;
      scratch_bits_ -= 8;
    }
  }

  std::vector<std::uint8_t>& out_;
  std::uint64_t scratch_ = 0;  // pending bits, LSB first (fewer than 8 between calls)
  unsigned scratch_bits_ = 0;
  std::size_t bit_count_ = 0;
};

class BitReader {
 public:
  explicit BitReader(std::span<const std::uint8_t> in) : in_(in) {}

  std::uint32_t bits(unsigned n);
  bool flag() { return bits(1) != 0; }
  std::uint32_t var_u();
  std::int32_t var_s();

  bool failed() const { return failed_; }
  /// True when every remaining bit is a padding bit of the last byte.
  bool at_end() const { return (bit_pos_ + 7) / 8 >= in_.size(); }

 private:
  std::span<const std::uint8_t> in_;
  std::size_t bit_pos_ = 0;
  bool failed_ = false;
};

inline std::uint32_t zigzag(std::int32_t v) {
  return (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
}
inline std::int32_t unzigzag(std::uint32_t v) {
  return static_cast<std::int32_t>(v >> 1) ^ -static_cast<std::int32_t>(v & 1u);
}

}  // namespace qbot::core
