#pragma once
// One open WebSocket of HttpServer: civetweb's connection behind the
// SocketPeer interface, with the server's close deadline (close_deadlines.h).
//
// Lifetime: created by the ready handler on the connection's thread,
// destroyed by the close handler on the same thread after `closed()`. Any
// thread may send to it until then (mg_websocket_write takes the
// connection's lock).
#include <atomic>
#include <mutex>
#include <string_view>

#include "server/http/close_deadlines.h"
#include "server/http/socket_peer.h"

struct mg_connection;

namespace qbot::server {

class CivetPeer final : public SocketPeer, public ForceClosable {
 public:
  /// `conn` is a WebSocket whose handshake completed; looks up its socket
  /// (see socket_of) so the close deadline can end it.
  CivetPeer(mg_connection* conn, CloseDeadlines& deadlines);
  bool send_text(std::string_view text) override;
  /// Marks the peer closing (any frame it sends now ends the connection,
  /// see closing()), arms the close deadline, then writes the close frame.
  void send_close(std::string_view reason) override;
  /// Arms the close deadline (a later send_close keeps this deadline).
  void end_within_grace() override;
  void force_close() override;

  /// True once the server sent its close frame: the data handler then ends
  /// the connection on the peer's next frame (its close answer or anything).
  bool closing() const { return closing_.load(); }
  /// The close handler runs: disarms the deadline; the socket is civetweb's
  /// to close and is never touched here again.
  void closed();

 private:
  static constexpr std::size_t kMaxCloseReasonBytes = 120;  // a control frame carries at most 125
  mg_connection* conn_;
  CloseDeadlines& deadlines_;
  std::atomic<bool> closing_{false};
  std::mutex socket_mutex_;  // socket_: force_close and closed() race
  int socket_;               // -1: not found (logged at warn), or closed
};

}  // namespace qbot::server
