#pragma once
// The server's one HTTP listener (--metrics-bind:--metrics-port), on
// civetweb, and the only code that includes <civetweb.h>: a table of exact
// paths to handlers, plus WebSocket paths. It serves what operators and
// orchestrators ask of a running server (/metrics, /healthz, /readyz: see
// server_endpoints.h) and, with --max-spectators > 0, the spectator pages and
// their WebSocket (server/spectator/spectator_endpoints.h).
//
// Handlers run on civetweb's threads, never on the tick thread: they must
// only read what is safe to read from any thread (atomics, the Prometheus
// registry, a mutex-guarded hub). Requests other than GET/HEAD on a known
// path get 405; unknown paths get civetweb's own 404 (no document root: it
// serves no files). Bounded: `threads` connections at a time (an open
// WebSocket holds one for its lifetime), civetweb's own limits on request
// size (16 KiB of headers), a request timeout (which also bounds one blocked
// write) and kMaxMessageBytes per WebSocket message. A WebSocket that stops
// sending is NOT closed by civetweb here (its idle timeout only bounds one
// read): the endpoint decides when a peer has been silent too long and sends
// it a close frame; from then on the connection ends within `close_grace`
// whatever the peer does (close_deadlines.h), so its thread comes back.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include "core/result.h"
#include "server/http/close_deadlines.h"
#include "server/http/websocket_endpoint.h"

struct mg_context;
struct mg_connection;

namespace qbot::server {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct HttpListen {
  std::string bind = "0.0.0.0";
  std::uint16_t port = 0;  // 0 = ephemeral (tests); port() says which
  int threads = 4;         // connections served at once, open WebSockets included
  std::chrono::milliseconds request_timeout{5000};
  // civetweb's websocket_timeout_ms: how long one read of a WebSocket waits.
  // civetweb 1.15 keeps a silent WebSocket open past it (see README.md).
  std::chrono::milliseconds websocket_idle_timeout{10000};
  // How long a WebSocket may stay open after the server sent its close frame
  // (then its socket is shut down): what an ignored close costs a thread.
  std::chrono::milliseconds close_grace{2000};
};

class HttpServer {
 public:
  using Handler = std::function<HttpReply()>;
  /// The longest WebSocket message read; a longer one closes its connection.
  static constexpr std::size_t kMaxMessageBytes = 1024;

  /// Listens on `listen`. Fails with civetweb's reason (e.g. the port is in
  /// use) naming the address.
  static core::Result<std::unique_ptr<HttpServer>, std::string> start(const HttpListen& listen);
  /// Stops accepting, closes the WebSockets (their on_close runs), waits for
  /// the requests being served, joins the threads.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Serves GET (and HEAD) of exactly `path` (e.g. "/metrics") with `handler`.
  /// May be called while serving; a path registered twice keeps the last handler.
  void route(const std::string& path, Handler handler);

  /// Serves WebSocket upgrades of exactly `path` with `endpoint`, which must
  /// outlive the server. Fails, serving nothing, when this civetweb was built
  /// without WebSocket support.
  core::Result<bool, std::string> websocket(const std::string& path, WebSocketEndpoint& endpoint);

  std::uint16_t port() const { return port_; }
  /// True if civetweb was built with WebSocket support (websocket() needs it).
  static bool websockets_supported();

  /// What a WebSocket path's handlers are given (civetweb holds a pointer).
  struct SocketRoute {
    WebSocketEndpoint& endpoint;
    CloseDeadlines& deadlines;
  };

 private:
  struct Route {
    HttpServer* server = nullptr;
    Handler handler;
  };
  HttpServer(mg_context* ctx, std::uint16_t port, std::chrono::milliseconds close_grace);
  static int serve(mg_connection* conn, void* route);

  mg_context* ctx_;
  std::uint16_t port_;
  std::unique_ptr<CloseDeadlines> deadlines_;
  std::list<Route> routes_;  // stable addresses: civetweb holds pointers to them
  std::list<SocketRoute> socket_routes_;
};

}  // namespace qbot::server
