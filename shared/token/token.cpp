#include "token/token.h"

#include <sodium.h>

#include <cstring>

#include "token/sodium_ready.h"

// Byte layout and the order of checks: docs/TOKENS.md.
namespace qbot::token {

// sodium_init is idempotent and thread-safe, but a function-local static makes
// the cost one atomic load after the first call. Without it libsodium may pick
// an unoptimized implementation and randombytes may not be seeded.
void detail::ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) std::abort();  // no usable RNG: nothing secure can run
    return true;
  }();
  (void)ready;
}

namespace {

static_assert(sizeof(Key) == crypto_auth_KEYBYTES);
static_assert(crypto_generichash_BYTES == sizeof(Key));

constexpr std::size_t kTagBytes = crypto_auth_BYTES;  // 32
constexpr std::uint8_t kJoinKind = 1;
constexpr std::uint8_t kAccountKind = 2;
constexpr std::size_t kMaxServerId = 64;
// kind | version u16 | match u64 | account u64 | id length u8 | id | expires u64
constexpr std::size_t kJoinFixedBytes = 1 + 2 + 8 + 8 + 1 + 8;
// kind | account u64 | issued u64
constexpr std::size_t kAccountBodyBytes = 1 + 8 + 8;

using detail::ensure_sodium;

void put_u8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }

template <class T>
void put_le(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Bounds are checked by the callers (exact length known before reading).
template <class T>
T get_le(const std::uint8_t* p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>(v | (static_cast<T>(p[i]) << (8 * i)));
  return v;
}

void append_tag(const Key& key, std::string& body) {
  std::uint8_t tag[kTagBytes];
  crypto_auth(tag, reinterpret_cast<const unsigned char*>(body.data()), body.size(), key.data());
  body.append(reinterpret_cast<const char*>(tag), kTagBytes);
}

// Constant-time check of the tag over every byte before it.
bool tag_verifies(const Key& key, std::span<const std::uint8_t> token) {
  const std::size_t body = token.size() - kTagBytes;
  return crypto_auth_verify(token.data() + body, token.data(), body, key.data()) == 0;
}

// 0 means "none" for match and account ids; server ids are 1..64 bytes.
bool join_fields_valid(std::uint64_t match_id, std::uint64_t account_id, std::size_t server_id_len) {
  return match_id != 0 && account_id != 0 && server_id_len >= 1 && server_id_len <= kMaxServerId;
}

}  // namespace

Key derive_key(std::string_view secret) {
  ensure_sodium();
  Key key{};
  crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                     nullptr, 0);
  return key;
}

Key random_key() {
  ensure_sodium();
  Key key{};
  crypto_auth_keygen(key.data());
  return key;
}

std::string key_fingerprint(const Key& key) {
  ensure_sodium();
  static constexpr std::string_view kLabel = "qbot-arena token key fingerprint v1";
  unsigned char tag[crypto_auth_BYTES];
  crypto_auth(tag, reinterpret_cast<const unsigned char*>(kLabel.data()), kLabel.size(), key.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    out += kHex[tag[i] >> 4];
    out += kHex[tag[i] & 0x0f];
  }
  return out;
}

const char* to_string(TokenError e) {
  switch (e) {
    case TokenError::Malformed: return "malformed";
    case TokenError::BadSignature: return "bad signature";
    case TokenError::Expired: return "expired";
  }
  return "unknown";
}

std::string sign_join(const Key& key, const JoinClaims& claims) {
  ensure_sodium();
  // Claims that verify_join would call Malformed are not signed: a caller bug
  // shows up as an empty (always-rejected) token, not as a truncated id.
  if (!join_fields_valid(claims.match_id, claims.account_id, claims.server_id.size())) return {};
  std::string out;
  out.reserve(kJoinFixedBytes + claims.server_id.size() + kTagBytes);
  put_u8(out, kJoinKind);
  put_le<std::uint16_t>(out, claims.protocol_version);
  put_le<std::uint64_t>(out, claims.match_id);
  put_le<std::uint64_t>(out, claims.account_id);
  put_u8(out, static_cast<std::uint8_t>(claims.server_id.size()));
  out += claims.server_id;
  put_le<std::uint64_t>(out, claims.expires_ms);
  append_tag(key, out);
  return out;
}

core::Result<JoinClaims, TokenError> verify_join(const Key& key, std::span<const std::uint8_t> token,
                                                 std::uint64_t now_ms) {
  ensure_sodium();
  // Layout first: the length must be exactly what the id-length byte says, so
  // no byte is read past the buffer and no trailing garbage is signed-over.
  if (token.size() < kJoinFixedBytes + 1 + kTagBytes || token[0] != kJoinKind) return core::Err{TokenError::Malformed};
  const std::uint8_t* p = token.data() + 1;
  JoinClaims c;
  c.protocol_version = get_le<std::uint16_t>(p);
  p += 2;
  c.match_id = get_le<std::uint64_t>(p);
  p += 8;
  c.account_id = get_le<std::uint64_t>(p);
  p += 8;
  const std::size_t id_len = *p++;
  if (token.size() != kJoinFixedBytes + id_len + kTagBytes || !join_fields_valid(c.match_id, c.account_id, id_len)) {
    return core::Err{TokenError::Malformed};
  }
  if (!tag_verifies(key, token)) return core::Err{TokenError::BadSignature};
  c.server_id.assign(reinterpret_cast<const char*>(p), id_len);
  p += id_len;
  c.expires_ms = get_le<std::uint64_t>(p);
  if (now_ms >= c.expires_ms) return core::Err{TokenError::Expired};
  return c;
}

std::string sign_account(const Key& key, const AccountClaims& claims) {
  ensure_sodium();
  if (claims.account_id == 0) return {};  // account 0 means "none": never issue it
  std::string out;
  out.reserve(kAccountBodyBytes + kTagBytes);
  put_u8(out, kAccountKind);
  put_le<std::uint64_t>(out, claims.account_id);
  put_le<std::uint64_t>(out, claims.issued_ms);
  append_tag(key, out);
  return out;
}

core::Result<AccountClaims, TokenError> verify_account(const Key& key, std::span<const std::uint8_t> token) {
  ensure_sodium();
  if (token.size() != kAccountBodyBytes + kTagBytes || token[0] != kAccountKind) {
    return core::Err{TokenError::Malformed};
  }
  AccountClaims c;
  c.account_id = get_le<std::uint64_t>(token.data() + 1);
  c.issued_ms = get_le<std::uint64_t>(token.data() + 9);
  if (c.account_id == 0) return core::Err{TokenError::Malformed};
  if (!tag_verifies(key, token)) return core::Err{TokenError::BadSignature};
  return c;
}

std::uint64_t random_account_id() {
  ensure_sodium();
  // Below 2^53 so JSON tools (doubles) show the id exactly; never 0 ("none").
  constexpr std::uint64_t kMask = (std::uint64_t{1} << 53) - 1;
  std::uint64_t id = 0;
  while (id == 0) {
    randombytes_buf(&id, sizeof(id));
    id &= kMask;
  }
  return id;
}

void random_bytes(std::span<std::uint8_t> out) {
  ensure_sodium();
  randombytes_buf(out.data(), out.size());
}

}  // namespace qbot::token
