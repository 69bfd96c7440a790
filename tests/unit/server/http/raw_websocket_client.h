#pragma once
// A hostile WebSocket client for the unit tests: a plain TCP socket that
// completes the handshake and then never reads or answers anything (not the
// server's frames, not its pings, not its close frame). Whether the server
// ended the connection is seen without reading (POLLRDHUP), so the client
// stays as deaf as it promised.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace qbot::test {

class RawWebSocketClient {
 public:
  /// Connects to 127.0.0.1:`port`, asks to upgrade `path` and reads the
  /// server's answer up to the end of its headers, and no further.
  /// `receive_buffer` > 0 shrinks the socket's receive buffer first, so a
  /// server writing to it fills it quickly.
  RawWebSocketClient(std::uint16_t port, const std::string& path, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    const timeval patience{10, 0};  // a server that never answers the handshake fails the test, not hangs it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) return;
    const std::string request = "GET " + path +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return;
    // Byte by byte: not one byte past the headers is read.
    char c = 0;
    while (headers_.size() < 4096 && !headers_.ends_with("\r\n\r\n") && ::recv(fd_, &c, 1, 0) == 1) headers_ += c;
  }
  ~RawWebSocketClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawWebSocketClient(const RawWebSocketClient&) = delete;
  RawWebSocketClient& operator=(const RawWebSocketClient&) = delete;

  /// The server switched protocols (101): the socket is a WebSocket now.
  bool upgraded() const { return headers_.starts_with("HTTP/1.1 101"); }
  /// Sends one short text message (under 126 bytes), masked with a zero key
  /// as a client must; false if the socket failed.
  bool send_text(const std::string& text) {
    std::string frame{'\x81', static_cast<char>(0x80 | (text.size() & 0x7F)), '\0', '\0', '\0', '\0'};
    frame += text;
    return ::send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(frame.size());
  }
  /// True once the server ended the connection (its FIN or a reset).
  bool disconnected() const {
    pollfd p{fd_, POLLRDHUP, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
  }

 private:
  int fd_ = -1;
  std::string headers_;
};

}  // namespace qbot::test
