#include "token/used_tokens.h"

namespace qbot::token {

bool UsedTokens::first_use(std::uint64_t match_id, std::uint64_t account_id, std::uint64_t expires_ms,
                           std::uint64_t now_ms) {
  forget_expired(now_ms);
  const auto key = std::make_pair(match_id, account_id);
  if (!by_key_.emplace(key, expires_ms).second) return false;  // seen and not yet expired: a replay
  by_expiry_.emplace(expires_ms, key);
  // Over capacity: drop the entry closest to expiry (possibly the new one). Its
  // replay window is the shortest, so the bound costs the least protection.
  if (by_key_.size() > capacity_) {
    const auto oldest = by_expiry_.begin();
    by_key_.erase(oldest->second);
    by_expiry_.erase(oldest);
    ++evicted_;
  }
  return true;
}

// Same boundary as verify_join: a token is expired once now >= expires, and
// from then on the signature check refuses it, so its entry is no longer needed.
void UsedTokens::forget_expired(std::uint64_t now_ms) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now_ms) {
    by_key_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
}

}  // namespace qbot::token
