#include "udp_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace qbot::attack {
namespace {
sockaddr_in to_sockaddr(std::uint32_t host_order_ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(host_order_ip);
  a.sin_port = htons(port);
  return a;
}
}  // namespace

Traffic& Traffic::operator+=(const Traffic& o) {
  sent_datagrams += o.sent_datagrams;
  sent_bytes += o.sent_bytes;
  received_datagrams += o.received_datagrams;
  received_bytes += o.received_bytes;
  return *this;
}

core::Result<UdpSocket, std::string> UdpSocket::bind(LoopbackIp source, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return core::Err{std::string("socket: ") + std::strerror(errno)};
  const sockaddr_in a = to_sockaddr(source.host_order(), port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return core::Err{"cannot bind " + source.text() + ":" + std::to_string(port) + ": " + why};
  }
  return UdpSocket(fd);
}

UdpSocket::UdpSocket(UdpSocket&& o) noexcept : fd_(o.fd_), traffic_(o.traffic_) { o.fd_ = -1; }

UdpSocket& UdpSocket::operator=(UdpSocket&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    traffic_ = o.traffic_;
    o.fd_ = -1;
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

bool UdpSocket::send_to(const Target& to, std::span<const std::uint8_t> bytes) {
  if (!is_loopback(to.ip.host_order())) return false;  // unreachable by construction; kept as the last guard
  const sockaddr_in a = to_sockaddr(to.ip.host_order(), to.port);
  const ssize_t n = ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&a), sizeof a);
  if (n < 0) return false;
  traffic_.sent_datagrams += 1;
  traffic_.sent_bytes += static_cast<std::uint64_t>(n);
  return true;
}

std::optional<std::size_t> UdpSocket::receive_from(const Target& from, std::span<std::uint8_t> buffer,
                                                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    sockaddr_in src{};
    socklen_t len = sizeof src;
    const ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), MSG_TRUNC, reinterpret_cast<sockaddr*>(&src), &len);
    if (n >= 0) {
      traffic_.received_datagrams += 1;
      traffic_.received_bytes += static_cast<std::uint64_t>(n);
      if (ntohl(src.sin_addr.s_addr) != from.ip.host_order() || ntohs(src.sin_port) != from.port) continue;
      return std::min(static_cast<std::size_t>(n), buffer.size());
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return std::nullopt;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left.count()));
  }
}

std::string UdpSocket::local_text() const {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) return "?";
  char buf[INET_ADDRSTRLEN] = {0};
  ::inet_ntop(AF_INET, &a.sin_addr, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(ntohs(a.sin_port));
}

}  // namespace qbot::attack
