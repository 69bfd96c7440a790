#pragma once
// Signed tokens (libsodium crypto_auth: HMAC-SHA-512-256) that servers of one
// fleet issue and check with a shared secret:
//  - a JOIN token lets one account into one matchmade match on one server
//    until it expires (single use is enforced by the server: used_tokens.h);
//  - an ACCOUNT token lets a client come back as the same account (its
//    garage and rating) on any server of the fleet.
// Byte layout (little-endian), docs/TOKENS.md:
//   kind u8 | fields... | tag[32]   (the tag covers every byte before it)
// Verification never reads past the buffer and never throws.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace qbot::token {

using Key = std::array<std::uint8_t, 32>;

/// Key from a configured secret (any length >= 16 bytes): BLAKE2b of it.
Key derive_key(std::string_view secret);
/// A random key (development mode: tokens only valid in this process).
Key random_key();

/// Who holds which key, without telling the key: the MAC of a fixed label
/// under `key`, as 16 lowercase hex digits (64 bits). Servers publish it in
/// their registry entry; two servers can verify each other's tokens iff
/// their fingerprints are equal (up to a 2^-64 chance of a collision).
/// Learning it does not help forge a token: that needs the key itself.
std::string key_fingerprint(const Key& key);

enum class TokenError : std::uint8_t {
  Malformed,     // wrong length / kind / field out of range
  BadSignature,  // tag does not verify under our key (forged or other fleet)
  Expired,       // valid signature, past its expiry
};
const char* to_string(TokenError e);

struct JoinClaims {
  std::uint16_t protocol_version = 0;
  std::uint64_t match_id = 0;
  std::uint64_t account_id = 0;
  std::string server_id;         // 1..64 bytes
  std::uint64_t expires_ms = 0;  // unix ms
  friend bool operator==(const JoinClaims&, const JoinClaims&) = default;
};

std::string sign_join(const Key& key, const JoinClaims& claims);
/// Checks layout, then signature (constant time), then expiry against `now_ms`.
core::Result<JoinClaims, TokenError> verify_join(const Key& key, std::span<const std::uint8_t> token,
                                                 std::uint64_t now_ms);

struct AccountClaims {
  std::uint64_t account_id = 0;  // nonzero
  std::uint64_t issued_ms = 0;
  friend bool operator==(const AccountClaims&, const AccountClaims&) = default;
};

std::string sign_account(const Key& key, const AccountClaims& claims);
/// Account tokens do not expire (a guest keeps its garage while it keeps the token).
core::Result<AccountClaims, TokenError> verify_account(const Key& key, std::span<const std::uint8_t> token);

/// A random nonzero account id for a new guest.
std::uint64_t random_account_id();

/// Fills `out` from the system CSPRNG (reconnect tokens, nonces).
void random_bytes(std::span<std::uint8_t> out);

inline std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace qbot::token
