// The spectator endpoints over real sockets: civetweb serving, a civetweb
// WebSocket client reading (or not) on loopback.
#include <civetweb.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "server/spectator/spectator_endpoints.h"
#include "wait.h"

using namespace qbot;
using namespace qbot::server::spectator;

namespace {

/// What a WebSocket client received (civetweb's client thread writes, the test reads).
struct Received {
  std::mutex mutex;
  std::vector<std::string> texts;
  std::atomic<bool> closed{false};
  std::vector<std::string> copy() {
    std::lock_guard lock(mutex);
    return texts;
  }
};

int on_data(mg_connection*, int bits, char* data, std::size_t size, void* user) {
  auto* r = static_cast<Received*>(user);
  if ((bits & 0xF) == MG_WEBSOCKET_OPCODE_TEXT) {
    std::lock_guard lock(r->mutex);
    r->texts.emplace_back(data, size);
  }
  return 1;
}

void on_close(const mg_connection*, void* user) { static_cast<Received*>(user)->closed = true; }

struct WebTest : ::testing::Test {
  prometheus::Registry registry;
  SpectatorMetrics metrics{registry};
  SpectatorHub hub{{1, 8, 4}, metrics};
  SpectatorSocket socket{hub};
  std::unique_ptr<WebServer> web;
  std::shared_ptr<const std::string> map = std::make_shared<const std::string>(R"({"type":"map"})");

  void SetUp() override {
    mg_init_library(0);
    hub.set_arenas(R"({"type":"arenas","arenas":[{"id":1}]})", {1});
    WebListen listen;
    listen.bind = "127.0.0.1";
    listen.port = 0;
    auto started = WebServer::start(listen);
    ASSERT_TRUE(started) << started.error();
    web = std::move(started.value());
    serve_spectators(*web, hub, socket);
  }
  void TearDown() override { web.reset(); }  // before the hub: close handlers detach

  mg_connection* connect(Received& r, const std::string& path) {
    char error[256] = {0};
    return mg_connect_websocket_client("127.0.0.1", web->port(), 0, error, sizeof error, path.c_str(), nullptr,
                                       &on_data, &on_close, &r);
  }
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
  const std::string base = "http://127.0.0.1:" + std::to_string(web->port());
  auto index = client.get(base + "/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("/api/arenas"), std::string::npos);
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
  Received silent, second;
  mg_connection* a = connect(silent, "/ws?arena=1");
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(test::eventually([&] { return hub.connected() == 1; }));
  // The one seat is taken: the next spectator is told why.
  mg_connection* b = connect(second, "/ws?arena=1");
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(test::eventually([&] { return !second.copy().empty(); }));
  EXPECT_NE(second.copy().front().find("\"refused\""), std::string::npos);
  EXPECT_NE(second.copy().front().find("--max-spectators"), std::string::npos);
  // The first receives but never acknowledges: dropped once 4 frames (the window) are unacknowledged.
  core::Tick t = 0;
  ASSERT_TRUE(test::eventually([&] {
    publish(++t);
    return hub.connected() == 0;
  }));
  EXPECT_LE(t, 4u + 8u + 1u);  // the bound: the ack window (4) or the queue (8), whichever fills first
  EXPECT_EQ(metrics.dropped_no_ack.Value(), 1);
  EXPECT_TRUE(test::eventually([&] { return silent.closed.load(); }));
  mg_close_connection(a);
  mg_close_connection(b);
}

TEST_F(WebTest, AnAcknowledgingSpectatorKeepsReceiving) {
  Received reader;
  mg_connection* c = connect(reader, "/ws?arena=1");
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(test::eventually([&] { return hub.connected() == 1; }));
  for (core::Tick t = 1; t <= 12; ++t) {
    publish(t);
    ASSERT_TRUE(test::eventually([&] { return reader.copy().size() == t + 1; }))
        << "frame " << t << ", got " << reader.copy().size();  // map + frames
    const std::string ack = "ack " + std::to_string(t);
    mg_websocket_client_write(c, MG_WEBSOCKET_OPCODE_TEXT, ack.data(), ack.size());
    ASSERT_TRUE(test::eventually([&] { return hub.connected() == 1; }));
  }
  EXPECT_EQ(metrics.dropped_no_ack.Value(), 0);
  mg_close_connection(c);
}
