#pragma once
// A real WebSocket client for the unit tests (civetweb's client, on
// loopback): what it received, and whether the server closed it. civetweb's
// client thread writes, the test reads.
#include <civetweb.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace qbot::test {

class WebSocketTestClient {
 public:
  /// Connects to ws://127.0.0.1:`port``path`; connected() says whether it did.
  WebSocketTestClient(std::uint16_t port, const std::string& path) {
    char error[256] = {0};
    conn_ = mg_connect_websocket_client("127.0.0.1", port, 0, error, sizeof error, path.c_str(), nullptr, &on_data,
                                        &on_close, this);
    error_ = error;
  }
  ~WebSocketTestClient() {
    if (conn_ != nullptr) mg_close_connection(conn_);
  }
  WebSocketTestClient(const WebSocketTestClient&) = delete;
  WebSocketTestClient& operator=(const WebSocketTestClient&) = delete;

  bool connected() const { return conn_ != nullptr; }
  const std::string& error() const { return error_; }
  /// Sends one text message; false if the connection failed.
  bool send(const std::string& text) {
    return mg_websocket_client_write(conn_, MG_WEBSOCKET_OPCODE_TEXT, text.data(), text.size()) > 0;
  }
  /// Leaves: closes the connection now (the destructor would).
  void leave() {
    mg_close_connection(conn_);
    conn_ = nullptr;
  }
  std::vector<std::string> texts() {
    std::lock_guard lock(mutex_);
    return texts_;
  }
  bool closed() const { return closed_.load(); }

 private:
  static int on_data(mg_connection*, int bits, char* data, std::size_t size, void* self) {
    auto* client = static_cast<WebSocketTestClient*>(self);
    if ((bits & 0xF) == MG_WEBSOCKET_OPCODE_TEXT) {
      std::lock_guard lock(client->mutex_);
      client->texts_.emplace_back(data, size);
    }
    return 1;
  }
  static void on_close(const mg_connection*, void* self) { static_cast<WebSocketTestClient*>(self)->closed_ = true; }

  mg_connection* conn_ = nullptr;
  std::string error_;
  std::mutex mutex_;
  std::vector<std::string> texts_;
  std::atomic<bool> closed_{false};
};

}  // namespace qbot::test
