#pragma once
// One open WebSocket as the spectator hub sees it: something to write text
// to, from the hub's writer thread. The web server implements it over
// civetweb; the unit tests implement it in memory.
#include <string_view>

namespace qbot::server::spectator {

class SocketPeer {
 public:
  virtual ~SocketPeer() = default;
  /// Sends one text message; blocks while the socket is full (bounded by the
  /// web server's write timeout). False once the connection failed.
  virtual bool send_text(std::string_view text) = 0;
  /// Sends a close frame with `reason`; the connection ends when the browser
  /// answers or the web server's idle timeout passes.
  virtual void send_close(std::string_view reason) = 0;
};

}  // namespace qbot::server::spectator
