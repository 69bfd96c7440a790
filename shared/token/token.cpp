#include "token/token.h"
// TEMPORARY STUB (being implemented)
namespace qbot::token {
Key derive_key(std::string_view) { return {}; }
Key random_key() { return {}; }
const char* to_string(TokenError) { return "stub"; }
std::string sign_join(const Key&, const JoinClaims&) { return {}; }
core::Result<JoinClaims, TokenError> verify_join(const Key&, std::span<const std::uint8_t>, std::uint64_t) {
  return core::Err{TokenError::Malformed};
}
std::string sign_account(const Key&, const AccountClaims&) { return {}; }
core::Result<AccountClaims, TokenError> verify_account(const Key&, std::span<const std::uint8_t>) {
  return core::Err{TokenError::Malformed};
}
std::uint64_t random_account_id() { return 1; }
}  // namespace qbot::token
