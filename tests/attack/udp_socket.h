#pragma once
// One UDP socket bound to a loopback source address, with counters of what
// went over the wire (UDP payload bytes, as ENet counts them). Sends only to
// a Target (loopback by construction) and checks it again before sendto.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/result.h"
#include "loopback.h"

namespace qbot::attack {

struct Traffic {
  std::uint64_t sent_datagrams = 0;
  std::uint64_t sent_bytes = 0;
  std::uint64_t received_datagrams = 0;
  std::uint64_t received_bytes = 0;
  Traffic& operator+=(const Traffic& o);
};

class UdpSocket {
 public:
  /// Binds to source:port (0 = an ephemeral port). Fails (naming the
  /// address and errno's text) when the address cannot be bound.
  static core::Result<UdpSocket, std::string> bind(LoopbackIp source, std::uint16_t port = 0);
  UdpSocket(UdpSocket&& o) noexcept;
  UdpSocket& operator=(UdpSocket&& o) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  /// One datagram to `to`. False (nothing counted) when the kernel refuses it.
  bool send_to(const Target& to, std::span<const std::uint8_t> bytes);
  /// Waits up to `timeout` (0 = poll) for one datagram from `from` into
  /// `buffer`; its length, or nullopt when none came. Datagrams from other
  /// senders are counted and skipped. A datagram longer than the buffer is
  /// truncated to it.
  std::optional<std::size_t> receive_from(const Target& from, std::span<std::uint8_t> buffer,
                                          std::chrono::milliseconds timeout);

  int fd() const { return fd_; }
  const Traffic& traffic() const { return traffic_; }
  std::string local_text() const;

 private:
  explicit UdpSocket(int fd) : fd_(fd) {}
  int fd_ = -1;
  Traffic traffic_;
};

}  // namespace qbot::attack
