// The spectator endpoints over real sockets: served by the server's
// HttpServer (civetweb), read by a civetweb WebSocket client on loopback
// that acknowledges, or not.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../http/raw_websocket_client.h"
#include "../http/websocket_test_client.h"
#include "http/http_client.h"
#include "server/http/http_server.h"
#include "server/spectator/spectator_endpoints.h"
#include "wait.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::server::spectator;
using qbot::test::RawWebSocketClient;
using qbot::test::WebSocketTestClient;
using namespace std::chrono_literals;

namespace {

struct WebTest : ::testing::Test {
  prometheus::Registry registry;
  SpectatorMetrics metrics{registry};
  SpectatorHub hub{{1, 8, 4}, metrics};
  SpectatorSocket socket{hub};
  std::unique_ptr<HttpServer> http;
  std::shared_ptr<const std::string> map = std::make_shared<const std::string>(R"({"type":"map"})");

  void SetUp() override {
    mg_init_library(0);  // the test's client side
    hub.set_arenas(R"({"type":"arenas","arenas":[{"id":1}]})", {1});
    HttpListen listen;
    listen.bind = "127.0.0.1";
    listen.port = 0;
    auto started = HttpServer::start(listen);
    ASSERT_TRUE(started) << started.error();
    http = std::move(started.value());
    auto served = serve_spectators(*http, hub, socket);
    ASSERT_TRUE(served) << served.error();
  }
  void TearDown() override { http.reset(); }  // before the hub: close handlers detach

  void publish(core::Tick tick) {
    auto f = std::make_shared<SpectatorFrame>();
    f->tick = tick;
    f->json = R"({"type":"frame"})";
    f->map = map;
    hub.publish(1, f);
  }
};

/// The spectators' port as the server sets it up, with chosen limits: the hub,
/// its endpoint, an HttpServer with http_threads(max_spectators) threads and
/// a /healthz probe beside the spectator paths.
struct SpectatorPort {
  prometheus::Registry registry;
  SpectatorMetrics metrics{registry};
  SpectatorHub hub;
  SpectatorSocket socket{hub};
  std::unique_ptr<HttpServer> http;

  SpectatorPort(const HubLimits& limits, std::chrono::milliseconds close_grace) : hub(limits, metrics) {
    mg_init_library(0);  // the test's client side
    hub.set_arenas(R"({"type":"arenas","arenas":[{"id":1}]})", {1});
    HttpListen listen{"127.0.0.1", 0, http_threads(limits.max_spectators), 2000ms};
    listen.close_grace = close_grace;
    auto started = HttpServer::start(listen);
    if (!started) {
      ADD_FAILURE() << started.error();
      return;
    }
    http = std::move(started.value());
    auto served = serve_spectators(*http, hub, socket);
    if (!served) ADD_FAILURE() << served.error();
    http->route("/healthz", [] { return HttpReply{200, "text/plain", "ok\n"}; });
  }
  ~SpectatorPort() { http.reset(); }  // before the hub: close handlers detach
  SpectatorPort(const SpectatorPort&) = delete;
  SpectatorPort& operator=(const SpectatorPort&) = delete;

  std::string ws() const { return "/ws?arena=1"; }
  void publish(core::Tick tick, std::string json) {
    auto f = std::make_shared<SpectatorFrame>();
    f->tick = tick;
    f->json = std::move(json);
    hub.publish(1, f);
  }
  /// GET /healthz answered "ok" within `patience`.
  bool healthz_answers(std::chrono::milliseconds patience) {
    http::Options options;
    options.total_timeout = patience;
    http::Client client(options);
    auto r = client.get("http://127.0.0.1:" + std::to_string(http->port()) + "/healthz");
    return r && r->status == 200 && r->body == "ok\n";
  }
};

}  // namespace

TEST_F(WebTest, ServesTheEmbeddedPagesAndTheArenaList) {
  http::Client client;
  const std::string base = "http://127.0.0.1:" + std::to_string(http->port());
  auto index = client.get(base + "/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("/api/arenas"), std::string::npos);
  auto watch = client.get(base + "/watch?arena=1");
  ASSERT_TRUE(watch);
  EXPECT_EQ(watch->status, 200);
  auto view = client.get(base + "/view.js");
  ASSERT_TRUE(view);
  EXPECT_NE(view->body.find("QbotDraw"), std::string::npos);
  auto list = client.get(base + "/api/arenas");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->body, R"({"type":"arenas","arenas":[{"id":1}]})");
  auto missing = client.get(base + "/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(WebTest, ASpectatorThatStopsReadingIsDroppedWithinItsBoundAndTheNextIsRefusedUntilThen) {
  WebSocketTestClient silent(http->port(), "/ws?arena=1");
  ASSERT_TRUE(silent.connected()) << silent.error();
  ASSERT_TRUE(test::eventually([&] { return hub.connected() == 1; }));
  // The one seat is taken: the next spectator is told why.
  WebSocketTestClient second(http->port(), "/ws?arena=1");
  ASSERT_TRUE(second.connected()) << second.error();
  ASSERT_TRUE(test::eventually([&] { return !second.texts().empty(); }));
  EXPECT_NE(second.texts().front().find("\"refused\""), std::string::npos);
  EXPECT_NE(second.texts().front().find("--max-spectators"), std::string::npos);
  // The first receives but never acknowledges: dropped once 4 frames (the window) are unacknowledged.
  core::Tick t = 0;
  ASSERT_TRUE(test::eventually([&] {
    publish(++t);
    return hub.connected() == 0;
  }));
  EXPECT_LE(t, 4u + 8u + 1u);  // the bound: the ack window (4) or the queue (8), whichever fills first
  EXPECT_EQ(metrics.dropped_no_ack.Value(), 1);
  EXPECT_TRUE(test::eventually([&] { return silent.closed(); }));
}

TEST_F(WebTest, AnAcknowledgingSpectatorKeepsReceiving) {
  WebSocketTestClient reader(http->port(), "/ws?arena=1");
  ASSERT_TRUE(reader.connected()) << reader.error();
  ASSERT_TRUE(test::eventually([&] { return hub.connected() == 1; }));
  for (core::Tick t = 1; t <= 12; ++t) {
    publish(t);
    ASSERT_TRUE(test::eventually([&] { return reader.texts().size() == t + 1; }))
        << "frame " << t << ", got " << reader.texts().size();  // map + frames
    ASSERT_TRUE(reader.send("ack " + std::to_string(t)));
    ASSERT_TRUE(test::eventually([&] { return hub.connected() == 1; }));
  }
  EXPECT_EQ(metrics.dropped_no_ack.Value(), 0);
}

TEST(SpectatorPortTest, ASocketThatGoesSilentIsDroppedAsSilentWithinTheLimitAndDisconnected) {
  const auto limit = 1000ms, grace = 500ms;
  SpectatorPort port({2, 8, 4, limit}, grace);
  const auto opened = std::chrono::steady_clock::now();
  RawWebSocketClient silent(port.http->port(), port.ws());
  ASSERT_TRUE(silent.upgraded());
  WebSocketTestClient page(port.http->port(), port.ws());  // keeps its seat with the page's keep-alive
  ASSERT_TRUE(page.connected()) << page.error();
  ASSERT_TRUE(test::eventually([&] { return port.hub.connected() == 2; }));
  // No frame is ever published (a long delay): only the silence can tell the two apart.
  const auto dropped = [&] {
    page.send("ping");
    return port.metrics.dropped_silent.Value() == 1;
  };
  ASSERT_TRUE(test::eventually(dropped, limit + 2s, 100ms));
  EXPECT_GE(std::chrono::steady_clock::now() - opened, limit);
  EXPECT_EQ(port.hub.connected(), 1u);
  // It never answers the close frame: the grace ends it.
  ASSERT_TRUE(test::eventually([&] { return silent.disconnected(); }, grace + 2s));
  EXPECT_LE(std::chrono::steady_clock::now() - opened, limit + grace + 1500ms);
  EXPECT_FALSE(page.closed());
  EXPECT_EQ(port.metrics.dropped_no_ack.Value() + port.metrics.dropped_queue_full.Value(), 0);
}

TEST(SpectatorPortTest, ASpectatorThatNeverReadsDoesNotDelayTheOthersFrames) {
  const std::size_t queue = 4;
  SpectatorPort port({3, queue, 1000000, 10s}, 500ms);  // no ack bound: only its full socket can stop it
  RawWebSocketClient deaf(port.http->port(), port.ws(), 4096);
  ASSERT_TRUE(deaf.upgraded());
  WebSocketTestClient a(port.http->port(), port.ws()), b(port.http->port(), port.ws());
  ASSERT_TRUE(a.connected() && b.connected());
  ASSERT_TRUE(test::eventually([&] { return port.hub.connected() == 3; }));
  const std::string big(64 * 1024, 'x');  // 64 KiB frames fill the deaf one's socket in a few MB
  core::Tick t = 0;
  std::size_t after_drop = 0;
  // At 20 Hz, bounded: the deaf one's writer blocks, its queue fills, it is dropped; 20 frames more.
  while (t < 400 && after_drop < 20) {
    port.publish(++t, big);
    // Every frame reaches both readers promptly, whatever the deaf one's writer is stuck in.
    ASSERT_TRUE(test::eventually([&] { return a.texts().size() == t && b.texts().size() == t; }, 500ms))
        << "frame " << t << ": " << a.texts().size() << " and " << b.texts().size();
    a.send("ack " + std::to_string(t));
    b.send("ack " + std::to_string(t));
    if (port.metrics.dropped_queue_full.Value() == 1) ++after_drop;
    std::this_thread::sleep_for(50ms);  // the spectator rate (pacing the publisher, not a wait)
  }
  EXPECT_EQ(port.metrics.dropped_queue_full.Value(), 1) << "the deaf spectator's writer never blocked";
  EXPECT_EQ(port.hub.connected(), 2u);
  EXPECT_FALSE(a.closed() || b.closed());
  // Its end was promised at the drop, 20 frames (a second) ago: the grace (0.5 s) ended it
  // though its writer was blocked on its full socket.
  EXPECT_TRUE(test::eventually([&] { return deaf.disconnected(); }, 1s));
}

TEST(SpectatorPortTest, WithEverySeatTakenRefusedSpectatorsIgnoringTheCloseNeverStarveHealthz) {
  const std::size_t seats = 2;
  const auto grace = 500ms;
  SpectatorPort port({seats, 8, 4, 10s}, grace);
  WebSocketTestClient one(port.http->port(), port.ws()), two(port.http->port(), port.ws());
  ASSERT_TRUE(one.connected() && two.connected());
  ASSERT_TRUE(test::eventually([&] { return port.hub.connected() == seats; }));
  // Three times the probes' threads of refused newcomers that never read their refusal nor answer its close.
  std::vector<std::unique_ptr<RawWebSocketClient>> refused;
  for (int i = 0; i < 3 * kHttpBaseThreads; ++i)
    refused.push_back(std::make_unique<RawWebSocketClient>(port.http->port(), port.ws()));
  EXPECT_TRUE(port.healthz_answers(grace + 1500ms));
  EXPECT_TRUE(test::eventually([&] { return port.metrics.refused.Value() == 3 * kHttpBaseThreads; }));
  for (const auto& r : refused) {
    EXPECT_TRUE(r->upgraded());
    EXPECT_TRUE(test::eventually([&] { return r->disconnected(); }, grace + 2s));
  }
  EXPECT_TRUE(port.healthz_answers(500ms));
  EXPECT_EQ(port.hub.connected(), seats);
  EXPECT_FALSE(one.closed() || two.closed());
}
