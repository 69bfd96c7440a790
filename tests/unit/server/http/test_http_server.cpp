// HttpServer (civetweb) and the server's endpoints, served for real on a
// loopback port and read with qbot::http::Client. The health signals are
// driven on a virtual clock (the handlers read the clock they are given).
#include "server/http/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "http/http_client.h"
#include "server/http/server_endpoints.h"
#include "server/metrics/health_signals.h"
#include "server/metrics/metrics.h"

using namespace qbot::server;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<HttpServer> start_loopback() {
  auto http = HttpServer::start(HttpListen{"127.0.0.1", 0, 2, std::chrono::milliseconds(2000)});
  if (!http) ADD_FAILURE() << http.error();
  return http ? std::move(*http) : nullptr;
}

struct Got {
  long status = 0;
  std::string body;
};

Got request(const HttpServer& http, qbot::http::Method method, const std::string& path) {
  qbot::http::Client client;
  auto r = client.send(method, "http://127.0.0.1:" + std::to_string(http.port()) + path, "", "text/plain");
  if (!r) return Got{-1, r.error().message};
  return Got{r->status, r->body};
}

Got get(const HttpServer& http, const std::string& path) { return request(http, qbot::http::Method::Get, path); }

/// Sends `request` as it is over TCP and returns everything the server sent
/// until it closed ("" if the connection failed).
std::string raw_exchange(std::uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  if (fd >= 0 && ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
    char buf[1024];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) reply.append(buf, static_cast<std::size_t>(n));
  }
  if (fd >= 0) ::close(fd);
  return reply;
}

}  // namespace

TEST(HttpServer, ServesExactRoutesAnswers404ElsewhereAnd405ToOtherMethods) {
  auto http = start_loopback();
  ASSERT_NE(http, nullptr);
  EXPECT_NE(http->port(), 0);
  http->route("/hello", [] { return HttpReply{200, "text/plain", "hi\n"}; });
  http->route("/teapot", [] { return HttpReply{418, "text/plain", "short and stout\n"}; });

  const Got hello = get(*http, "/hello");
  EXPECT_EQ(hello.status, 200);
  EXPECT_EQ(hello.body, "hi\n");
  EXPECT_EQ(get(*http, "/teapot").status, 418);
  EXPECT_EQ(get(*http, "/hello/more").status, 404);  // exact paths, not prefixes
  EXPECT_EQ(get(*http, "/").status, 404);
  EXPECT_EQ(request(*http, qbot::http::Method::Post, "/hello").status, 405);
  EXPECT_EQ(request(*http, qbot::http::Method::Put, "/hello").status, 405);
}

TEST(HttpServer, HeadAnswersTheGetHeadersWithoutTheBody) {
  auto http = start_loopback();
  ASSERT_NE(http, nullptr);
  http->route("/hello", [] { return HttpReply{200, "text/plain", "hi there\n"}; });
  const std::string reply =
      raw_exchange(http->port(), "HEAD /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200")) << reply;
  EXPECT_NE(reply.find("Content-Length: 9\r\n"), std::string::npos) << reply;  // what GET would send
  ASSERT_NE(reply.find("\r\n\r\n"), std::string::npos) << reply;
  EXPECT_EQ(reply.substr(reply.find("\r\n\r\n") + 4), "");  // and nothing of it
}

TEST(HttpServer, AHandlerThatThrowsIsAnswered500AndTheServerKeepsServing) {
  auto http = start_loopback();
  ASSERT_NE(http, nullptr);
  http->route("/boom", []() -> HttpReply { throw std::runtime_error("out of cheese"); });
  http->route("/ok", [] { return HttpReply{200, "text/plain", "ok\n"}; });
  const Got boom = get(*http, "/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_NE(boom.body.find("out of cheese"), std::string::npos);
  EXPECT_EQ(get(*http, "/ok").status, 200);
}

TEST(HttpServer, APortInUseFailsNamingTheAddress) {
  auto first = start_loopback();
  ASSERT_NE(first, nullptr);
  auto second = HttpServer::start(HttpListen{"127.0.0.1", first->port(), 1, std::chrono::milliseconds(1000)});
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("127.0.0.1:" + std::to_string(first->port())), std::string::npos) << second.error();
}

TEST(HttpServer, CivetwebHereSupportsWebSockets) { EXPECT_TRUE(HttpServer::websockets_supported()); }

class Endpoints : public ::testing::Test {
 protected:
  void SetUp() override {
    http_ = start_loopback();
    ASSERT_NE(http_, nullptr);
    add_server_endpoints(*http_, registry_, metrics_, health_,
                         [this] { return std::chrono::nanoseconds(now_.load()); });
  }
  void advance(std::chrono::nanoseconds d) { now_ += d.count(); }
  std::chrono::nanoseconds now() const { return std::chrono::nanoseconds(now_.load()); }

  prometheus::Registry registry_;
  Metrics metrics_{registry_};
  HealthSignals health_{HealthSignals::stale_after_for(30)};  // 6 ticks of 33 ms = 200 ms
  std::atomic<std::int64_t> now_{std::chrono::nanoseconds(10s).count()};
  std::unique_ptr<HttpServer> http_;
};

TEST_F(Endpoints, HealthzIs503BeforeTheFirstTick200WhileTicksCompleteAnd503WhenTheTickIsStuck) {
  EXPECT_EQ(get(*http_, "/healthz").status, 503);
  health_.tick_completed(now());
  EXPECT_EQ(get(*http_, "/healthz").status, 200);
  for (int i = 0; i < 20; ++i) {  // ticks keep completing: live throughout
    advance(33ms);
    health_.tick_completed(now());
    ASSERT_EQ(get(*http_, "/healthz").status, 200) << "tick " << i;
  }
  advance(150ms);  // within the limit
  EXPECT_EQ(get(*http_, "/healthz").status, 200);
  advance(100ms);  // 250 ms since the last tick: stuck
  const Got stuck = get(*http_, "/healthz");
  EXPECT_EQ(stuck.status, 503);
  EXPECT_NE(stuck.body.find("tick stuck"), std::string::npos) << stuck.body;
  EXPECT_NE(stuck.body.find("250 ms"), std::string::npos) << stuck.body;
  health_.tick_completed(now());  // it came back
  EXPECT_EQ(get(*http_, "/healthz").status, 200);
}

TEST_F(Endpoints, ReadyzNeedsListeningAndTheStoreAndTurns503WhileDraining) {
  const Got before = get(*http_, "/readyz");
  EXPECT_EQ(before.status, 503);
  EXPECT_NE(before.body.find("not listening"), std::string::npos) << before.body;
  health_.set_listening();
  const Got no_store = get(*http_, "/readyz");
  EXPECT_EQ(no_store.status, 503);
  EXPECT_NE(no_store.body.find("store unreachable"), std::string::npos) << no_store.body;
  health_.set_store_reachable(true);
  EXPECT_EQ(get(*http_, "/readyz").status, 200);
  health_.set_store_reachable(false);  // a heartbeat failed
  EXPECT_EQ(get(*http_, "/readyz").status, 503);
  health_.set_store_reachable(true);
  health_.set_draining();
  const Got draining = get(*http_, "/readyz");
  EXPECT_EQ(draining.status, 503);
  EXPECT_NE(draining.body.find("draining"), std::string::npos) << draining.body;
}

TEST_F(Endpoints, MetricsServesTheRegistryWithLiveAndReadyAsAtTheScrape) {
  health_.set_listening();
  health_.set_store_reachable(true);
  health_.tick_completed(now());
  metrics_.ticks.Increment(7);
  const Got first = get(*http_, "/metrics");
  ASSERT_EQ(first.status, 200);
  EXPECT_NE(first.body.find("qbot_ticks_total 7"), std::string::npos);
  EXPECT_NE(first.body.find("qbot_live 1"), std::string::npos);
  EXPECT_NE(first.body.find("qbot_ready 1"), std::string::npos);
  advance(1s);  // stuck
  health_.set_draining();
  const Got second = get(*http_, "/metrics");
  EXPECT_NE(second.body.find("qbot_live 0"), std::string::npos);
  EXPECT_NE(second.body.find("qbot_ready 0"), std::string::npos);
  EXPECT_NE(second.body.find("qbot_last_tick_age_seconds 1"), std::string::npos);
}
