#include "cookie_exchange.h"

#include <array>

namespace qbot::attack {
namespace {

// Written from the wire format the server documents (docs/PROTOCOL.md,
// "Connect cookie"), not from the server's own code: an attacker (and any
// third-party client) only has the documentation, and a mismatch between the
// two should show up here as a failed exchange.
//   request: FF FF "QBCQ" version 1, zero padding to 32 bytes
//   reply:   FF FF "QBCC" cookie (u32 big-endian) window (u32 big-endian), 14 bytes
constexpr std::size_t kRequestBytes = 32;
constexpr std::size_t kReplyBytes = 14;
constexpr std::uint8_t kVersion = 1;
constexpr std::chrono::milliseconds kRetry{250};

std::array<std::uint8_t, kRequestBytes> request() {
  std::array<std::uint8_t, kRequestBytes> r{};
  const std::array<std::uint8_t, 7> head{0xFF, 0xFF, 'Q', 'B', 'C', 'Q', kVersion};
  for (std::size_t i = 0; i < head.size(); ++i) r[i] = head[i];
  return r;
}

/// The cookie of a reply, nullopt for anything else.
std::optional<std::uint32_t> parse_reply(std::span<const std::uint8_t> d) {
  const std::array<std::uint8_t, 6> head{0xFF, 0xFF, 'Q', 'B', 'C', 'C'};
  if (d.size() != kReplyBytes) return std::nullopt;
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (d[i] != head[i]) return std::nullopt;
  }
  return (std::uint32_t{d[6]} << 24) | (std::uint32_t{d[7]} << 16) | (std::uint32_t{d[8]} << 8) | d[9];
}

}  // namespace

core::Result<std::uint32_t, std::string> exchange_cookie(UdpSocket& socket, const Target& server,
                                                         std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto req = request();
  std::array<std::uint8_t, 64> buffer{};
  std::uint32_t ignored = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!socket.send_to(server, req)) return core::Err{"cookie request to " + server.text() + ": send failed"};
    const auto retry_at = std::min(deadline, std::chrono::steady_clock::now() + kRetry);
    while (std::chrono::steady_clock::now() < retry_at) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(retry_at - std::chrono::steady_clock::now());
      const auto n = socket.receive_from(server, buffer, std::max(left, std::chrono::milliseconds(1)));
      if (!n) continue;
      if (auto cookie = parse_reply(std::span<const std::uint8_t>(buffer.data(), *n))) return *cookie;
      ignored += 1;  // an ENet datagram or junk: not the reply
    }
  }
  return core::Err{"cookie request to " + server.text() + ": no reply within " + std::to_string(timeout.count()) +
                   " ms (" + std::to_string(ignored) + " other datagrams; does the server support the exchange?)"};
}

}  // namespace qbot::attack
