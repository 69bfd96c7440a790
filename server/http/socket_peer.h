#pragma once
// One open WebSocket as its endpoint sees it: something to write text to,
// from any thread. HttpServer implements it over civetweb; the unit tests
// implement it in memory.
#include <string_view>

namespace qbot::server {

class SocketPeer {
 public:
  virtual ~SocketPeer() = default;
  /// Sends one text message; blocks while the socket is full (bounded by
  /// civetweb's write timeout, the request timeout). False once the
  /// connection failed or after send_close.
  virtual bool send_text(std::string_view text) = 0;
  /// Sends a close frame with `reason` (cut to 120 bytes), once. The
  /// connection then ends on the peer's next frame, and within the server's
  /// close grace (HttpListen::close_grace) if the peer never answers, even
  /// if this write itself blocks on a full socket.
  virtual void send_close(std::string_view reason) = 0;
  /// Promises that the connection ends within the server's close grace from
  /// now, whatever the peer does and even if a write to it is blocked on a
  /// full socket. Never blocks (the tick thread may call it); send_close
  /// should still follow, to tell the peer why.
  virtual void end_within_grace() = 0;
};

}  // namespace qbot::server
