#pragma once
// Stateless proof of address for the pre-connect exchange
// (docs/PROTOCOL.md, "Connect cookie"). The server answers a cookie request
// with address_cookie(source address, current window); a CONNECT must carry
// it back in ENet's connect data. Only whoever receives datagrams at that
// address can know the cookie, and the server keeps no state per request.
//
// The cookie is the first 4 bytes of SipHash-2-4 (libsodium
// crypto_shorthash) over ip | port | window, under a key of that window
// derived from the process's random master key: keys rotate with the window,
// and a leaked window key says nothing about other windows.
#include <array>
#include <cstdint>

namespace qbot::token {

using CookieKey = std::array<std::uint8_t, 16>;

/// A fresh random master key (one per server process).
CookieKey random_cookie_key();
/// The key of one time window: BLAKE2b-128 of the window number keyed with `master`.
CookieKey cookie_window_key(const CookieKey& master, std::uint32_t window);
/// The cookie of an IPv4 address (network byte order, as sockets give it)
/// and port in `window`, under that window's key. Never fails.
std::uint32_t address_cookie(const CookieKey& window_key, std::uint32_t ipv4, std::uint16_t port, std::uint32_t window);

}  // namespace qbot::token
