#pragma once
// The two character sets untrusted text may use, checked in one place.
// Display text (names shown to players) is printable ASCII; codes that end up
// in Redis keys, logs and file names (server ids, regions, party codes) are
// [A-Za-z0-9._-]. Both refuse an empty string below `min` and anything over
// `max` bytes.
#include <algorithm>
#include <cstddef>
#include <string_view>

namespace qbot::core {

constexpr bool is_printable_ascii(char c) { return c >= 0x20 && c <= 0x7e; }

constexpr bool is_code_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/// 1..max printable ASCII characters (or min..max).
inline bool is_display_text(std::string_view s, std::size_t max, std::size_t min = 1) {
  return s.size() >= min && s.size() <= max && std::all_of(s.begin(), s.end(), is_printable_ascii);
}

/// min..max characters of [A-Za-z0-9._-].
inline bool is_code(std::string_view s, std::size_t min, std::size_t max) {
  return s.size() >= min && s.size() <= max && std::all_of(s.begin(), s.end(), is_code_char);
}

}  // namespace qbot::core
