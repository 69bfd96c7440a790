#pragma once
// Little-endian byte writer and a bounds-checked reader for the records the
// stores keep (record_codec, result_codec). The reader never reads past its
// input: an overrun or an oversize string records the first error and yields
// zeros, so a decoder checks once at the end.
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qbot::server {

class ByteWriter {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) { le(v, 2); }
  void u32(std::uint32_t v) { le(v, 4); }
  void u64(std::uint64_t v) { le(v, 8); }
  void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }
  // Callers bound every string below 255 / 65535 before writing (the *_problem checks).
  void str8(std::string_view s) {
    u8(static_cast<std::uint8_t>(s.size()));
    out_.append(s);
  }
  void str16(std::string_view s) {
    u16(static_cast<std::uint16_t>(s.size()));
    out_.append(s);
  }
  std::string take() { return std::move(out_); }

 private:
  void le(std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  std::string out_;
};

/// Reads from a hostile buffer: an overrun or an oversize string sets the
/// error and yields zeros, so callers check once at the end.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  std::uint8_t u8() { return static_cast<std::uint8_t>(le(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(le(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(le(4)); }
  std::uint64_t u64() { return le(8); }
  double f64() { return std::bit_cast<double>(u64()); }
  std::string str8(std::size_t max, const char* what) { return str(u8(), max, what); }
  std::string str16(std::size_t max, const char* what) { return str(u16(), max, what); }

  bool ok() const { return error_.empty(); }
  bool fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  /// The error, or "trailing bytes" if the record did not end the buffer.
  std::optional<std::string> finish() {
    if (error_.empty() && pos_ != in_.size()) error_ = std::to_string(in_.size() - pos_) + " trailing bytes";
    if (error_.empty()) return std::nullopt;
    return error_;
  }

 private:
  std::uint64_t le(std::size_t bytes) {
    if (!error_.empty()) return 0;
    if (in_.size() - pos_ < bytes) {
      fail("truncated");
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v |= std::uint64_t{static_cast<std::uint8_t>(in_[pos_ + i])} << (8 * i);
    pos_ += bytes;
    return v;
  }
  std::string str(std::size_t len, std::size_t max, const char* what) {
    if (!error_.empty()) return {};
    if (len > max) {
      fail(std::string(what) + " longer than " + std::to_string(max) + " bytes");
      return {};
    }
    if (in_.size() - pos_ < len) {
      fail("truncated");
      return {};
    }
    std::string s(in_.substr(pos_, len));
    pos_ += len;
    return s;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace qbot::server
