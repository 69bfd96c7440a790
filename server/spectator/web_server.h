#pragma once
// The spectator's HTTP listener, on civetweb (Debian's libcivetweb, which
// prometheus-cpp uses too): a table of exact paths to handlers, plus
// WebSocket endpoints. The interface is the one of the server's planned
// common HTTP listener (route(path, handler) and a WebSocket hook), so the
// spectator endpoints can move onto that listener unchanged.
//
// Handlers run on civetweb's threads, never on the tick thread. Requests
// other than GET/HEAD on a known path get 405; unknown paths 404. Bounded:
// `threads` connections at a time (an open WebSocket holds one for its
// lifetime), civetweb's limits on request size, a request timeout, and an
// idle timeout on WebSockets (a page that sends nothing for that long is
// closed; the spectator page sends a keep-alive).
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "server/spectator/socket_peer.h"

struct mg_context;
struct mg_connection;

namespace qbot::server::spectator {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct WebListen {
  std::string bind = "0.0.0.0";
  std::uint16_t port = 0;  // 0 = ephemeral (tests); port() says which
  int threads = 8;
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds websocket_idle_timeout{10000};
};

/// What a WebSocket endpoint does with its connections. Every call for one
/// connection comes from that connection's civetweb thread, in order:
/// on_open, on_message..., on_close. The peer is valid until on_close returns.
class WebSocketEndpoint {
 public:
  virtual ~WebSocketEndpoint() = default;
  /// `query` is the request's query string ("arena=3"), untrusted.
  virtual void on_open(SocketPeer& peer, std::string_view query) = 0;
  /// A text message (at most kMaxMessageBytes; longer ones close the connection).
  virtual void on_message(SocketPeer& peer, std::string_view text) = 0;
  virtual void on_close(SocketPeer& peer) = 0;
};

class WebServer {
 public:
  using Handler = std::function<HttpReply()>;
  static constexpr std::size_t kMaxMessageBytes = 1024;

  /// Listens on `listen`. Fails with civetweb's reason (e.g. the port is in
  /// use) naming the address, or when civetweb lacks WebSocket support.
  static core::Result<std::unique_ptr<WebServer>, std::string> start(const WebListen& listen);
  /// Stops accepting, closes the connections (their on_close runs), joins the threads.
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  /// Serves GET (and HEAD) of exactly `path` with `handler`; a path routed
  /// twice keeps the last handler. May be called while serving.
  void route(const std::string& path, Handler handler);
  /// Serves WebSocket upgrades of exactly `path`; `endpoint` must outlive the server.
  void websocket(const std::string& path, WebSocketEndpoint& endpoint);

  std::uint16_t port() const { return port_; }

 private:
  WebServer(mg_context* ctx, std::uint16_t port) : ctx_(ctx), port_(port) {}
  /// civetweb's one request handler: looks the exact path up in routes_.
  static int serve(mg_connection* conn, void* server);
  std::optional<Handler> find(std::string_view path) const;

  mg_context* ctx_;
  std::uint16_t port_;
  mutable std::mutex mutex_;  // routes_
  std::map<std::string, Handler, std::less<>> routes_;
};

}  // namespace qbot::server::spectator
