#pragma once
// The pre-connect exchange on the game's UDP socket (docs/PROTOCOL.md,
// "Connect cookie"): its two datagrams, and the client's side of it.
//
//   request, client -> server, 32 bytes: FF FF "QBCQ" version(1) then 25 zero bytes
//   reply,   server -> client, 14 bytes: FF FF "QBCC" cookie(u32 BE) window(u32 BE)
//
// The client then connects with the cookie as ENet's connect data. Both
// datagrams start with FF FF, which no ENet 1.3 host takes for its own
// traffic: a server never addresses peer 0xFFF, and a datagram to 0xFFF with
// the compressed flag is dropped by a host without a decompressor (and by
// ours before decompressing). The request is longer than the reply so that
// a spoofed request cannot make the server send more than it received.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>

namespace qbot::net {

constexpr std::size_t kCookieRequestBytes = 32;
constexpr std::size_t kCookieReplyBytes = 14;
constexpr std::uint8_t kCookieVersion = 1;
constexpr std::uint32_t kCookieRetryMs = 250;     // a client resends an unanswered request this often
constexpr std::uint32_t kCookieAttempts = 8;      // ... this many times, then connects without a cookie
constexpr std::uint32_t kCookieWindowMs = 10000;  // the server accepts the current and the previous window
constexpr std::uint32_t kCookieFreshMs = 8000;    // a client reuses a cookie this long (under one window)

using CookieRequest = std::array<std::uint8_t, kCookieRequestBytes>;
using CookieReply = std::array<std::uint8_t, kCookieReplyBytes>;

/// True if `datagram` starts like a cookie request or reply (FF FF "QBC"):
/// not ENet, whatever its length.
bool is_cookie_datagram(std::span<const std::uint8_t> datagram);

CookieRequest make_cookie_request();
/// A request the server answers: exactly the request's prefix and version,
/// at least kCookieRequestBytes long. Trailing bytes are ignored.
bool is_cookie_request(std::span<const std::uint8_t> datagram);

CookieReply make_cookie_reply(std::uint32_t cookie, std::uint32_t window);
struct ParsedCookieReply {
  std::uint32_t cookie = 0;
  std::uint32_t window = 0;
};
/// The cookie of a reply; nullopt unless the datagram is exactly one reply.
std::optional<ParsedCookieReply> parse_cookie_reply(std::span<const std::uint8_t> datagram);

/// A UDP source or destination: IPv4 in network byte order, port in host order.
struct UdpAddress {
  std::uint32_t ip = 0;
  std::uint16_t port = 0;
  friend bool operator==(const UdpAddress&, const UdpAddress&) = default;
};

/// The client's cookies, one per server address. Pure bookkeeping on the
/// caller's clock (ms); the caller sends the requests it is told to and
/// hands every cookie datagram it receives to on_datagram().
class CookieJar {
 public:
  enum class Next : std::uint8_t {
    Connect,      // connect now with `data` (0 if the server never answered: an older server)
    SendRequest,  // send a request now, then ask again
    Wait,         // a request is on its way
  };
  struct Step {
    Next next = Next::Wait;
    std::uint32_t data = 0;
  };
  /// What to do about connecting to `server` at `now_ms`.
  Step step(UdpAddress server, std::uint64_t now_ms);
  /// Takes a reply from `from` (its freshness counts from the next step()).
  /// False (and ignored) if it is no reply or nothing was asked of `from`:
  /// a forged reply cannot plant a cookie for a server we are not talking to.
  bool on_datagram(UdpAddress from, std::span<const std::uint8_t> datagram);

 private:
  struct Entry {
    std::uint32_t cookie = 0;
    std::uint64_t got_ms = 0;  // when the cookie (or the fallback) arrived
    std::uint64_t last_request_ms = 0;
    std::uint32_t requests = 0;  // since the last cookie
    bool have = false;           // `cookie` (or the fallback) is usable until got_ms + kCookieFreshMs
    bool fallback = false;       // the server never answered: connect without
    bool arrived = false;        // a reply came; got_ms is set by the next step()
  };
  static constexpr std::size_t kMaxServers = 64;
  static std::uint64_t key(UdpAddress a) { return (std::uint64_t{a.ip} << 16) | a.port; }
  Entry& entry(UdpAddress server, std::uint64_t now_ms);

  std::unordered_map<std::uint64_t, Entry> entries_;
};

}  // namespace qbot::net
