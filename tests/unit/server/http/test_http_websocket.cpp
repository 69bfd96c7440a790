// HttpServer's WebSocket paths over real sockets: civetweb serving, a
// civetweb WebSocket client on loopback, an endpoint that records its calls.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "raw_websocket_client.h"
#include "server/http/http_server.h"
#include "server/http/websocket_endpoint.h"
#include "wait.h"
#include "websocket_test_client.h"

using namespace qbot::server;
using namespace std::chrono_literals;
using qbot::test::RawWebSocketClient;
using qbot::test::WebSocketTestClient;

namespace {

/// Records every call, and keeps the open peer so the test can write to it.
/// With `close_on_open` it sends every newcomer a close frame at once (as
/// the spectators' endpoint does to a refused one).
class RecordingEndpoint final : public WebSocketEndpoint {
 public:
  std::atomic<bool> close_on_open{false};
  void on_open(SocketPeer& peer, std::string_view query) override {
    if (close_on_open) peer.send_close("go away");
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

  void start(std::chrono::milliseconds idle_timeout, int threads = 4, std::chrono::milliseconds close_grace = 2000ms) {
    mg_init_library(0);  // the test's client side
    HttpListen listen{"127.0.0.1", 0, threads, 2000ms, idle_timeout, close_grace};
    auto started = HttpServer::start(listen);
    ASSERT_TRUE(started) << started.error();
    http = std::move(started.value());
    auto served = http->websocket("/ws", endpoint);
    ASSERT_TRUE(served) << served.error();
    http->route("/healthz", [] { return HttpReply{200, "text/plain", "ok\n"}; });
  }
  /// GET /healthz with a client that waits up to `patience` for an answer.
  bool healthz_answers(std::chrono::milliseconds patience) {
    qbot::http::Options options;
    options.total_timeout = patience;
    qbot::http::Client client(options);
    auto r = client.get("http://127.0.0.1:" + std::to_string(http->port()) + "/healthz");
    return r && r->status == 200 && r->body == "ok\n";
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

TEST_F(HttpWebSocket, APeerThatIgnoresTheCloseFrameIsDisconnectedWithinTheGraceWhileHealthzAnswers) {
  const auto grace = 1000ms;
  start(10s, 3, grace);
  endpoint.close_on_open = true;
  const auto opened = std::chrono::steady_clock::now();
  RawWebSocketClient deaf1(http->port(), "/ws"), deaf2(http->port(), "/ws");
  ASSERT_TRUE(deaf1.upgraded() && deaf2.upgraded());
  ASSERT_TRUE(qbot::test::eventually([&] { return endpoint.queries().size() == 2; }));
  // Two of the three threads are held by peers that will never answer: the third serves the probe.
  EXPECT_TRUE(healthz_answers(500ms));
  EXPECT_FALSE(deaf1.disconnected() || deaf2.disconnected());  // the grace has not passed yet
  ASSERT_TRUE(qbot::test::eventually([&] { return deaf1.disconnected() && deaf2.disconnected(); }, 5s));
  const auto took = std::chrono::steady_clock::now() - opened;
  EXPECT_GE(took, grace);
  EXPECT_LE(took, grace + 1500ms);
  EXPECT_TRUE(qbot::test::eventually([&] { return endpoint.closes() == 2; }));
}

TEST_F(HttpWebSocket, PeersIgnoringTheCloseOnEveryThreadDelayHealthzByAtMostTheGrace) {
  const auto grace = 1000ms;
  start(10s, 3, grace);
  endpoint.close_on_open = true;
  std::vector<std::unique_ptr<RawWebSocketClient>> deaf;
  for (int i = 0; i < 3; ++i) deaf.push_back(std::make_unique<RawWebSocketClient>(http->port(), "/ws"));
  ASSERT_TRUE(qbot::test::eventually([&] { return endpoint.queries().size() == 3; }));
  // Every thread is taken: the probe waits for one, and gets it once the grace ends the deaf peers.
  const auto asked = std::chrono::steady_clock::now();
  EXPECT_TRUE(healthz_answers(grace + 2000ms));
  EXPECT_LE(std::chrono::steady_clock::now() - asked, grace + 1500ms);
  for (const auto& d : deaf) EXPECT_TRUE(qbot::test::eventually([&] { return d->disconnected(); }, 3s));
}

TEST_F(HttpWebSocket, AnyFrameFromAPeerAfterTheCloseFrameEndsTheConnectionAtOnce) {
  start(10s, 4, 30s);  // a grace far beyond the test's patience: only the frame can end it
  endpoint.close_on_open = true;
  RawWebSocketClient peer(http->port(), "/ws");
  ASSERT_TRUE(peer.upgraded());
  ASSERT_TRUE(qbot::test::eventually([&] { return endpoint.queries().size() == 1; }));
  ASSERT_TRUE(peer.send_text("ack 1"));
  EXPECT_TRUE(qbot::test::eventually([&] { return peer.disconnected(); }, 3s));
  EXPECT_TRUE(qbot::test::eventually([&] { return endpoint.closes() == 1; }));
  EXPECT_TRUE(endpoint.messages().empty());  // it did not reach the endpoint either
}
