#pragma once
// Range checks that name the offending field: the first failure wins and
// becomes "weapons[2].damage: must be 1..1000, got 0".
#include <cmath>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/quoted.h"
#include "core/text.h"

namespace qbot::content {

class FieldCheck {
 public:
  bool failed() const { return error_.has_value(); }
  const std::string& error() const { return *error_; }

  void fail(const std::string& field, const std::string& problem) {
    if (!error_) error_ = field + ": " + problem;
  }

  template <class T>
  void range(const std::string& field, T value, T lo, T hi) {
    bool ok = value >= lo && value <= hi;
    if constexpr (std::is_floating_point_v<T>) ok = ok && std::isfinite(value);
    if (ok) return;
    std::ostringstream os;
    os << "must be " << +lo << ".." << +hi << ", got " << +value;
    fail(field, os.str());
  }

  /// A field that only some kinds use must keep its neutral value elsewhere:
  /// a set value there is a mistake (e.g. a projectile_speed on a Hitscan
  /// weapon), not something to ignore silently.
  template <class T>
  void neutral_unless(const std::string& field, T value, T neutral, std::string_view used_by) {
    if (value == neutral) return;
    std::ostringstream os;
    os << "must be " << +neutral << " unless kind is " << used_by << ", got " << +value;
    fail(field, os.str());
  }

  /// Identifiers: 1..max of [a-z0-9_-].
  void identifier(const std::string& field, std::string_view id, std::size_t max) {
    const bool ok = !id.empty() && id.size() <= max &&
                    id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string_view::npos;
    if (!ok) fail(field, "must be 1.." + std::to_string(max) + " of [a-z0-9_-], got " + quoted(id));
  }

  /// Display names: 1..max printable ASCII characters.
  void display_name(const std::string& field, std::string_view name, std::size_t max) {
    if (!core::is_display_text(name, max))
      fail(field, "must be 1.." + std::to_string(max) + " printable ASCII characters");
  }

  /// Untrusted text for an error message (core::quoted).
  static std::string quoted(std::string_view text) { return core::quoted(text); }

 private:
  std::optional<std::string> error_;
};

}  // namespace qbot::content
