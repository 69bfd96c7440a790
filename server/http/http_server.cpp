#include "server/http/http_server.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <mutex>
#include <string_view>

#include "core/quoted.h"
#include "server/http/civet_peer.h"

namespace qbot::server {
namespace {

constexpr unsigned kFeatureWebSocket = 16;  // MG_FEATURES_WEBSOCKET
constexpr std::size_t kErrorTextBytes = 256;

void init_civetweb() {
  static std::once_flag once;
  std::call_once(once, [] { mg_init_library(0); });
}

/// civetweb's own complaints (a client that hung up, a malformed request):
/// untrusted text, so quoted, and only at debug.
int log_message(const mg_connection*, const char* message) {
  spdlog::debug("http: {}", core::quoted(message != nullptr ? message : ""));
  return 1;  // handled: civetweb prints nothing itself
}

void send(mg_connection* conn, const HttpReply& reply, bool with_body) {
  mg_response_header_start(conn, reply.status);
  mg_response_header_add(conn, "Content-Type", reply.content_type.c_str(), -1);
  const std::string length = std::to_string(reply.body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  if (reply.status == 405) mg_response_header_add(conn, "Allow", "GET, HEAD", -1);
  mg_response_header_send(conn);
  if (with_body && !reply.body.empty()) mg_write(conn, reply.body.data(), reply.body.size());
}

int ws_connect(const mg_connection*, void*) { return 0; }  // 0 = accept

void ws_ready(mg_connection* conn, void* route) {
  auto& ws = *static_cast<HttpServer::SocketRoute*>(route);
  auto* peer = new CivetPeer(conn, ws.deadlines);  // owned by the connection until ws_close
  mg_set_user_connection_data(conn, peer);
  const mg_request_info* info = mg_get_request_info(conn);
  const char* query = info != nullptr ? info->query_string : nullptr;
  ws.endpoint.on_open(*peer, query != nullptr ? query : "");
}

/// Returns 1 to keep the connection, 0 to close it.
int ws_data(mg_connection* conn, int bits, char* data, std::size_t size, void* route) {
  auto* peer = static_cast<CivetPeer*>(mg_get_user_connection_data(conn));
  const int opcode = bits & 0xF;
  if (opcode == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE) return 0;
  // After our close frame, whatever the peer sends (its close, a pong, an
  // ack still in flight) ends the connection; the deadline covers silence.
  if (peer != nullptr && peer->closing()) return 0;
  if (peer == nullptr || opcode != MG_WEBSOCKET_OPCODE_TEXT) return 1;  // pings are civetweb's; binary is ignored
  if (size > HttpServer::kMaxMessageBytes) return 0;                    // nothing legitimate is that long
  static_cast<HttpServer::SocketRoute*>(route)->endpoint.on_message(*peer, std::string_view(data, size));
  return 1;
}

void ws_close(const mg_connection* conn, void* route) {
  auto* peer = static_cast<CivetPeer*>(mg_get_user_connection_data(conn));
  if (peer == nullptr) return;  // closed before it was ready
  static_cast<HttpServer::SocketRoute*>(route)->endpoint.on_close(*peer);
  peer->closed();
  delete peer;
}

}  // namespace

core::Result<std::unique_ptr<HttpServer>, std::string> HttpServer::start(const HttpListen& listen) {
  init_civetweb();
  const std::string where = listen.bind + ":" + std::to_string(listen.port);
  const std::string threads = std::to_string(listen.threads);
  const std::string timeout = std::to_string(listen.request_timeout.count());
  const std::string ws_timeout = std::to_string(listen.websocket_idle_timeout.count());
  const char* options[] = {"listening_ports",      where.c_str(),        "num_threads",
                           threads.c_str(),        "request_timeout_ms", timeout.c_str(),
                           "websocket_timeout_ms", ws_timeout.c_str(),   nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = &log_message;
  mg_init_data init{&callbacks, nullptr, options};
  char text[kErrorTextBytes] = {0};
  unsigned code = 0;
  mg_error_data error{&code, text, sizeof text};
  mg_context* ctx = mg_start2(&init, &error);
  if (ctx == nullptr) return core::Err{"cannot listen for HTTP on " + where + ": " + std::string(text)};
  mg_server_port ports[1] = {};
  const std::uint16_t port =
      mg_get_server_ports(ctx, 1, ports) == 1 ? static_cast<std::uint16_t>(ports[0].port) : listen.port;
  auto server = std::unique_ptr<HttpServer>(new HttpServer(ctx, port, listen.close_grace));
  return server;
}

HttpServer::HttpServer(mg_context* ctx, std::uint16_t port, std::chrono::milliseconds close_grace)
    : ctx_(ctx), port_(port), deadlines_(std::make_unique<CloseDeadlines>(close_grace)) {}

HttpServer::~HttpServer() { mg_stop(ctx_); }  // first: its close handlers disarm deadlines_

void HttpServer::route(const std::string& path, Handler handler) {
  routes_.push_back(Route{this, std::move(handler)});
  // "$": the exact path, not every path it is a prefix of.
  mg_set_request_handler(ctx_, (path + "$").c_str(), &HttpServer::serve, &routes_.back());
}

int HttpServer::serve(mg_connection* conn, void* route) {
  const mg_request_info* info = mg_get_request_info(conn);
  const std::string_view method = info->request_method != nullptr ? info->request_method : "";
  if (method != "GET" && method != "HEAD") {
    send(conn, HttpReply{405, "text/plain; charset=utf-8", "only GET and HEAD\n"}, true);
    return 405;
  }
  HttpReply reply;
  try {
    reply = static_cast<Route*>(route)->handler();
  } catch (const std::exception& e) {  // out of memory while serializing: answer, do not end the thread
    reply = HttpReply{500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n"};
  }
  send(conn, reply, method == "GET");
  return reply.status;
}

core::Result<bool, std::string> HttpServer::websocket(const std::string& path, WebSocketEndpoint& endpoint) {
  if (!websockets_supported())
    return core::Err{"cannot serve " + path + ": this civetweb was built without WebSockets"};
  socket_routes_.push_back(SocketRoute{endpoint, *deadlines_});
  mg_set_websocket_handler(ctx_, (path + "$").c_str(), &ws_connect, &ws_ready, &ws_data, &ws_close,
                           &socket_routes_.back());
  return true;
}

bool HttpServer::websockets_supported() { return mg_check_feature(kFeatureWebSocket) != 0; }

}  // namespace qbot::server
