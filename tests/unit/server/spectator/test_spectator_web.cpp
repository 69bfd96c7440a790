// The spectator endpoints over real sockets: served by the server's
// HttpServer (civetweb), read by a civetweb WebSocket client on loopback
// that acknowledges, or not.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <string>

#include "../http/websocket_test_client.h"
#include "http/http_client.h"
#include "server/http/http_server.h"
#include "server/spectator/spectator_endpoints.h"
#include "wait.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::server::spectator;
using qbot::test::WebSocketTestClient;

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
