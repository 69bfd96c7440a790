#pragma once
// Single use of join tokens: remembers (match id, account id) of every token
// admitted until the token's own expiry, after which the signature check
// refuses it anyway. Bounded: at most `capacity` live entries; when full, the
// entry closest to expiry is dropped and counted (admission errs on refusing
// nothing valid rather than growing without bound).
#include <cstdint>
#include <map>
#include <set>
#include <utility>

namespace qbot::token {

class UsedTokens {
 public:
  explicit UsedTokens(std::size_t capacity) : capacity_(capacity) {}

  /// True the first time a (match, account) is presented; false on a replay.
  bool first_use(std::uint64_t match_id, std::uint64_t account_id, std::uint64_t expires_ms, std::uint64_t now_ms);
  std::size_t size() const { return by_key_.size(); }
  std::uint64_t evicted() const { return evicted_; }

 private:
  void forget_expired(std::uint64_t now_ms);

  std::size_t capacity_;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> by_key_;  // -> expires
  std::set<std::pair<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>>> by_expiry_;
  std::uint64_t evicted_ = 0;
};

}  // namespace qbot::token
