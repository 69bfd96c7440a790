#include "token/record_mac.h"

#include <sodium.h>

#include "token/sodium_ready.h"

namespace qbot::token {
namespace {

static_assert(crypto_auth_hmacsha512256_BYTES == kRecordMacBytes);
static_assert(crypto_auth_hmacsha512256_KEYBYTES == sizeof(Key));

/// Separates the record key from every other use of the fleet key.
constexpr std::string_view kRecordKeyContext = "qbot-arena store records v1";

void put_length(crypto_auth_hmacsha512256_state& st, std::size_t n) {
  unsigned char len[4];
  for (std::size_t i = 0; i < 4; ++i) len[i] = static_cast<unsigned char>((n >> (8 * i)) & 0xFF);
  crypto_auth_hmacsha512256_update(&st, len, sizeof len);
}

RecordMac compute(const Key& key, std::initializer_list<std::string_view> parts) {
  detail::ensure_sodium();
  crypto_auth_hmacsha512256_state st;
  crypto_auth_hmacsha512256_init(&st, key.data(), key.size());
  for (const std::string_view part : parts) {
    put_length(st, part.size());
    crypto_auth_hmacsha512256_update(&st, reinterpret_cast<const unsigned char*>(part.data()), part.size());
  }
  RecordMac tag{};
  crypto_auth_hmacsha512256_final(&st, tag.data());
  sodium_memzero(&st, sizeof st);
  return tag;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Key record_key(const Key& fleet_key) {
  detail::ensure_sodium();
  Key out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(kRecordKeyContext.data()),
                     kRecordKeyContext.size(), fleet_key.data(), fleet_key.size());
  return out;
}

RecordMac record_mac(const Key& key, std::initializer_list<std::string_view> parts) { return compute(key, parts); }

bool record_mac_verifies(const Key& key, std::initializer_list<std::string_view> parts,
                         std::span<const std::uint8_t> tag) {
  if (tag.size() != kRecordMacBytes) return false;
  const RecordMac expected = compute(key, parts);
  return sodium_memcmp(expected.data(), tag.data(), kRecordMacBytes) == 0;
}

Digest digest(std::string_view bytes) {
  detail::ensure_sodium();
  Digest out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                     nullptr, 0);
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

std::optional<std::array<std::uint8_t, 32>> from_hex32(std::string_view hex) {
  std::array<std::uint8_t, 32> out{};
  if (hex.size() != out.size() * 2) return std::nullopt;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return out;
}

}  // namespace qbot::token
