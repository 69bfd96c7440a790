#pragma once
// Writes compact JSON into one reusable string: the spectator frames are
// written on the tick thread, several times a second per watched arena, so
// the writer appends to a buffer that keeps its capacity (no tree of nodes,
// no allocation per value once warm). Output only: nothing here parses.
//
// Usage: w.open_object(); w.key("tick"); w.number(12); w.close_object();
// Commas are placed by the writer. Nesting deeper than kMaxDepth is a
// programming error (checked by the unit tests, not at run time).
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace qbot::server::spectator {

class JsonWriter {
 public:
  static constexpr std::size_t kMaxDepth = 8;

  /// Empties the text, keeping its capacity.
  void clear() {
    text_.clear();
    depth_ = 0;
    first_[0] = true;
  }
  const std::string& text() const { return text_; }

  void open_object() { open('{'); }
  void close_object() { close('}'); }
  void open_array() { open('['); }
  void close_array() { close(']'); }

  /// An object member's name; the next value (or open) is its value.
  void key(std::string_view name) {
    separate();
    string_body(name);
    text_ += ':';
    after_key_ = true;
  }
  void number(std::int64_t v) {
    separate();
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    text_.append(buf, r.ptr);
  }
  void boolean(bool v) {
    separate();
    text_ += v ? "true" : "false";
  }
  /// Any bytes: quotes, backslashes and control characters are escaped, so
  /// untrusted names cannot break out of the string.
  void string(std::string_view s) {
    separate();
    string_body(s);
  }
  /// A value that is already JSON text (written by another JsonWriter).
  void raw(std::string_view json) {
    separate();
    text_ += json;
  }
  /// `v` as 16 lowercase hex digits in a string (ids beyond JavaScript's 2^53).
  void hex(std::uint64_t v) {
    separate();
    char buf[19] = {'"'};
    for (int i = 0; i < 16; ++i) buf[1 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xF];
    buf[17] = '"';
    text_.append(buf, 18);
  }

 private:
  void open(char c) {
    separate();
    text_ += c;
    if (depth_ + 1 < kMaxDepth) ++depth_;
    first_[depth_] = true;
  }
  void close(char c) {
    text_ += c;
    if (depth_ > 0) --depth_;
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_[depth_]) text_ += ',';
    first_[depth_] = false;
  }
  void string_body(std::string_view s) {
    text_ += '"';
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        text_ += '\\';
        text_ += c;
      } else if (u < 0x20 || u >= 0x7f || c == '<' || c == '>') {
        // Non-ASCII and markup characters too: the text may be embedded in an
        // HTML page (qbot-replay html), where "</script>" would end the script.
        char esc[7] = {'\\', 'u', '0', '0', "0123456789abcdef"[u >> 4], "0123456789abcdef"[u & 0xF], 0};
        text_.append(esc, 6);
      } else {
        text_ += c;
      }
    }
    text_ += '"';
  }

  std::string text_;
  std::array<bool, kMaxDepth> first_{true};
  std::size_t depth_ = 0;
  bool after_key_ = false;
};

}  // namespace qbot::server::spectator
