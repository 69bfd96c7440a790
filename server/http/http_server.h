#pragma once
// The server's one HTTP listener (--metrics-bind:--metrics-port), on
// civetweb: a table of exact paths to handlers. It serves what operators and
// orchestrators ask of a running server (/metrics, /healthz, /readyz: see
// server_endpoints.h) and is where a WebSocket endpoint will go (a live
// spectator view): civetweb is built with WebSocket support here
// (websockets_supported()), and such an endpoint is one more
// mg_set_websocket_handler on this same context. Each open WebSocket holds
// one of the `threads` for its lifetime, so that endpoint will raise it.
//
// Handlers run on civetweb's threads, never on the tick thread: they must
// only read what is safe to read from any thread (atomics, the Prometheus
// registry). Requests other than GET/HEAD on a known path get 405; unknown
// paths get civetweb's own 404 (no document root: it serves no files). Bounded: `threads` requests at a time,
// civetweb's own limits on request size (16 KiB of headers) and a request timeout.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include "core/result.h"

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
  int threads = 4;         // requests served at once
  std::chrono::milliseconds request_timeout{5000};
};

class HttpServer {
 public:
  using Handler = std::function<HttpReply()>;

  /// Listens on `listen`. Fails with civetweb's reason (e.g. the port is in
  /// use) naming the address.
  static core::Result<std::unique_ptr<HttpServer>, std::string> start(const HttpListen& listen);
  /// Stops accepting, waits for the requests being served, joins the threads.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Serves GET (and HEAD) of exactly `path` (e.g. "/metrics") with `handler`.
  /// May be called while serving; a path registered twice keeps the last handler.
  void route(const std::string& path, Handler handler);

  std::uint16_t port() const { return port_; }
  /// True if civetweb was built with WebSocket support (a later endpoint needs it).
  static bool websockets_supported();

  /// civetweb's WebSocket callbacks for one path (the signatures of
  /// mg_websocket_*_handler in <civetweb.h>); null members are left out.
  /// They run on civetweb's threads, like route()'s handlers.
  struct WebSocketHandlers {
    int (*connect)(const mg_connection*, void*) = nullptr;
    void (*ready)(mg_connection*, void*) = nullptr;
    int (*data)(mg_connection*, int, char*, std::size_t, void*) = nullptr;
    void (*close)(const mg_connection*, void*) = nullptr;
    void* user_data = nullptr;  // passed to every callback; must outlive the server
  };
  /// Serves WebSocket upgrades of exactly `path` with `handlers`. Each open
  /// WebSocket holds one of HttpListen::threads for its lifetime.
  void websocket(const std::string& path, const WebSocketHandlers& handlers);

 private:
  struct Route {
    HttpServer* server = nullptr;
    Handler handler;
  };
  explicit HttpServer(mg_context* ctx, std::uint16_t port) : ctx_(ctx), port_(port) {}
  static int serve(mg_connection* conn, void* route);

  mg_context* ctx_;
  std::uint16_t port_;
  std::list<Route> routes_;  // stable addresses: civetweb holds pointers to them
};

}  // namespace qbot::server
