#pragma once
// The fleet's tag on every record RedisStore writes for another server to
// trust (docs/REDIS.md "Authenticated records"): registry entries, tickets,
// the assignment written into a ticket, match records, inbox entries and
// result markers. Binary records carry the 32-byte tag after their bytes;
// text records (hash fields, list entries, markers) carry it as 64 hex
// digits. Each tag also covers the record's kind and where it lives (its
// account, match id or server id), so a valid record copied under another
// key does not verify there.
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "token/record_mac.h"

namespace qbot::server {

class RecordSeal {
 public:
  /// `key` is token::record_key(fleet key): every server of a fleet has the same.
  explicit RecordSeal(const token::Key& key) : key_(key) {}

  /// `bytes` followed by the tag over (kind, where, bytes).
  std::string seal(std::string_view kind, std::string_view where, std::string_view bytes) const;
  /// The bytes of a sealed record, or nullopt if it is shorter than a tag
  /// or its tag does not verify for (kind, where).
  std::optional<std::string_view> open(std::string_view kind, std::string_view where, std::string_view sealed) const;

  /// The tag over `parts` as 64 hex digits.
  std::string tag_hex(std::initializer_list<std::string_view> parts) const;
  /// True if `hex` is exactly the tag over `parts`.
  bool verifies_hex(std::initializer_list<std::string_view> parts, std::string_view hex) const;

 private:
  token::Key key_;
};

}  // namespace qbot::server
