#include "token/address_cookie.h"

#include <sodium.h>

#include "token/sodium_ready.h"

namespace qbot::token {
namespace {

static_assert(sizeof(CookieKey) == crypto_shorthash_KEYBYTES);
static_assert(sizeof(CookieKey) >= crypto_generichash_KEYBYTES_MIN);
static_assert(sizeof(CookieKey) >= crypto_generichash_BYTES_MIN);

void put_le32(unsigned char* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<unsigned char>(v >> (8 * i));
}

}  // namespace

CookieKey random_cookie_key() {
  detail::ensure_sodium();
  CookieKey key;
  randombytes_buf(key.data(), key.size());
  return key;
}

CookieKey cookie_window_key(const CookieKey& master, std::uint32_t window) {
  detail::ensure_sodium();
  unsigned char in[4];
  put_le32(in, window);
  CookieKey out;
  crypto_generichash(out.data(), out.size(), in, sizeof in, master.data(), master.size());
  return out;
}

std::uint32_t address_cookie(const CookieKey& window_key, std::uint32_t ipv4, std::uint16_t port,
                             std::uint32_t window) {
  // ip (4, as received) | port (2, little-endian) | window (4, little-endian)
  unsigned char in[10];
  put_le32(in, ipv4);
  in[4] = static_cast<unsigned char>(port & 0xFF);
  in[5] = static_cast<unsigned char>(port >> 8);
  put_le32(in + 6, window);
  unsigned char mac[crypto_shorthash_BYTES];
  crypto_shorthash(mac, in, sizeof in, window_key.data());
  return static_cast<std::uint32_t>(mac[0]) | (static_cast<std::uint32_t>(mac[1]) << 8) |
         (static_cast<std::uint32_t>(mac[2]) << 16) | (static_cast<std::uint32_t>(mac[3]) << 24);
}

}  // namespace qbot::token
