// HttpServer's WebSocket paths over real sockets: civetweb serving, a
// civetweb WebSocket client on loopback, an endpoint that records its calls.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/http/http_server.h"
#include "server/http/websocket_endpoint.h"
#include "wait.h"
#include "websocket_test_client.h"

using namespace qbot::server;
using namespace std::chrono_literals;
using qbot::test::WebSocketTestClient;

namespace {

/// Records every call, and keeps the open peer so the test can write to it.
class RecordingEndpoint final : public WebSocketEndpoint {
 public:
  void on_open(SocketPeer& peer, std::string_view query) override {
    std::lock_guard lock(mutex_);
    peer_ = &peer;
    queries_.emplace_back(query);
  }
  void on_message(SocketPeer&, std::string_view text) override {
    std::lock_guard lock(mutex_);
    messages_.emplace_back(text);
  }
  void on_close(SocketPeer& peer) override {
    std::lock_guard lock(mutex_);
    if (peer_ == &peer) peer_ = nullptr;
    ++closes_;
  }
  /// Sends `text` to the open peer; false if none is open.
  bool send(std::string_view text) {
    std::lock_guard lock(mutex_);
    return peer_ != nullptr && peer_->send_text(text);
  }
  std::vector<std::string> queries() {
    std::lock_guard lock(mutex_);
    return queries_;
  }
  std::vector<std::string> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  int closes() {
    std::lock_guard lock(mutex_);
    return closes_;
  }

 private:
  std::mutex mutex_;
  SocketPeer* peer_ = nullptr;
  std::vector<std::string> queries_;
  std::vector<std::string> messages_;
  int closes_ = 0;
};

struct HttpWebSocket : ::testing::Test {
  RecordingEndpoint endpoint;  // outlives the server
  std::unique_ptr<HttpServer> http;

  void start(std::chrono::milliseconds idle_timeout) {
    mg_init_library(0);  // the test's client side
    HttpListen listen{"127.0.0.1", 0, 4, 2000ms, idle_timeout};
    auto started = HttpServer::start(listen);
    ASSERT_TRUE(started) << started.error();
    http = std::move(started.value());
    auto served = http->websocket("/ws", endpoint);
    ASSERT_TRUE(served) << served.error();
  }
  void TearDown() override { http.reset(); }
};

}  // namespace

TEST_F(HttpWebSocket, OpensWithTheQueryCarriesTextBothWaysInOrderAndClosesWhenTheClientLeaves) {
  start(10s);
  WebSocketTestClient client(http->port(), "/ws?arena=3&x=y");
  ASSERT_TRUE(client.connected()) << client.error();
  ASSERT_TRUE(qbot::test::eventually([&] { return endpoint.queries().size() == 1; }));
  EXPECT_EQ(endpoint.queries().front(), "arena=3&x=y");
  ASSERT_TRUE(endpoint.send("hello"));
  ASSERT_TRUE(qbot::test::eventually([&] { return client.texts().size() == 1; }));
  EXPECT_EQ(client.texts().front(), "hello");
  ASSERT_TRUE(client.send("one"));
  ASSERT_TRUE(client.send("two"));
  ASSERT_TRUE(qbot::test::eventually([&] { return endpoint.messages().size() == 2; }));
  EXPECT_EQ(endpoint.messages(), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(endpoint.closes(), 0);
  client.leave();
  ASSERT_TRUE(qbot::test::eventually([&] { return endpoint.closes() == 1; }));
  EXPECT_FALSE(endpoint.send("after close"));  // the peer is gone with on_close
}

TEST_F(HttpWebSocket, OnlyTheExactPathUpgrades) {
  start(10s);
  WebSocketTestClient other(http->port(), "/ws/more");
  EXPECT_FALSE(other.connected());
  EXPECT_TRUE(endpoint.queries().empty());
}

TEST_F(HttpWebSocket, AMessageOverTheLimitClosesTheConnectionWithoutReachingTheEndpoint) {
  start(10s);
  WebSocketTestClient client(http->port(), "/ws");
  ASSERT_TRUE(client.connected()) << client.error();
  ASSERT_TRUE(qbot::test::eventually([&] { return endpoint.queries().size() == 1; }));
  const std::string at_limit(HttpServer::kMaxMessageBytes, 'a');
  ASSERT_TRUE(client.send(at_limit));
  ASSERT_TRUE(qbot::test::eventually([&] { return endpoint.messages().size() == 1; }));
  EXPECT_EQ(endpoint.messages().front(), at_limit);
  client.send(std::string(HttpServer::kMaxMessageBytes + 1, 'b'));
  ASSERT_TRUE(qbot::test::eventually([&] { return endpoint.closes() == 1; }));
  EXPECT_TRUE(qbot::test::eventually([&] { return client.closed(); }));
  EXPECT_EQ(endpoint.messages().size(), 1u);
}
