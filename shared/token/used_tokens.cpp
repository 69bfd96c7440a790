#include "token/used_tokens.h"
// TEMPORARY STUB (being implemented)
namespace qbot::token {
bool UsedTokens::first_use(std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t) { return true; }
void UsedTokens::forget_expired(std::uint64_t) {}
}  // namespace qbot::token
