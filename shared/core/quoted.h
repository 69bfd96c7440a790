#pragma once
// Untrusted text for an error message or a log line: in quotes, anything
// not printable ASCII (control characters, terminal escapes) as \xNN, and
// cut after `max_shown` bytes ("..." follows), so hostile input can neither
// forge log lines nor flood them.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/text.h"

namespace qbot::core {

inline std::string quoted(std::string_view text, std::size_t max_shown = 40) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < max_shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (is_printable_ascii(static_cast<char>(c)) && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  out += text.size() > max_shown ? "\"..." : "\"";
  return out;
}

}  // namespace qbot::core
