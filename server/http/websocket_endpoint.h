#pragma once
// What a WebSocket path of HttpServer does with its connections.
#include <string_view>

#include "server/http/socket_peer.h"

namespace qbot::server {

/// Every call for one connection comes from that connection's civetweb
/// thread, in order: on_open, on_message..., on_close. The peer is valid
/// until on_close returns (another thread may write to it until then).
class WebSocketEndpoint {
 public:
  virtual ~WebSocketEndpoint() = default;
  /// `query` is the request's query string ("arena=3"), untrusted.
  virtual void on_open(SocketPeer& peer, std::string_view query) = 0;
  /// A text message of at most HttpServer::kMaxMessageBytes (longer ones
  /// close the connection without reaching here), untrusted.
  virtual void on_message(SocketPeer& peer, std::string_view text) = 0;
  virtual void on_close(SocketPeer& peer) = 0;
};

}  // namespace qbot::server
