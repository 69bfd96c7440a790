// qbot::http::Client against real HTTP servers in this process: prometheus-cpp's
// Exposer (civetweb) serving a registry for GET, a civetweb echo handler for
// POST / PUT / PATCH, and a listening socket that never answers for timeouts.
#include <arpa/inet.h>
#include <civetweb.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/http_client.h"
#include "ports.h"

using namespace qbot::http;

namespace {

std::string url(int port, const std::string& path) { return "http://127.0.0.1:" + std::to_string(port) + path; }

/// A /metrics page with one counter at 3 and `extra` more labelled series.
class MetricsServer {
 public:
  explicit MetricsServer(int extra) : registry_(std::make_shared<prometheus::Registry>()) {
    auto& family = prometheus::BuildCounter().Name("qbot_test_requests_total").Help("test").Register(*registry_);
    family.Add({}).Increment(3);
    for (int i = 0; i < extra; ++i) family.Add({{"series", std::to_string(i)}}).Increment();
    exposer_.RegisterCollectable(registry_);
  }
  int port() const { return exposer_.GetListeningPorts().at(0); }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Exposer exposer_{"127.0.0.1:0"};
};

/// civetweb answering every request on /echo with "201 Created" and a body
/// of "<method> <content type> <content length>\n<request body>".
class EchoServer {
 public:
  EchoServer() {
    mg_init_library(0);
    const char* options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "2", nullptr};
    mg_callbacks callbacks{};
    ctx_ = mg_start(&callbacks, nullptr, options);
    if (ctx_ == nullptr) return;
    mg_set_request_handler(ctx_, "/echo", &EchoServer::handle, nullptr);
    mg_server_port ports[1] = {};
    if (mg_get_server_ports(ctx_, 1, ports) == 1) port_ = ports[0].port;
  }
  ~EchoServer() {
    if (ctx_ != nullptr) mg_stop(ctx_);
    mg_exit_library();
  }
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;
  int port() const { return port_; }

 private:
  static int handle(mg_connection* conn, void*) {
    const mg_request_info* info = mg_get_request_info(conn);
    const char* type = mg_get_header(conn, "Content-Type");
    std::string body;
    char buf[4096];
    for (int n; body.size() < (1u << 16) && (n = mg_read(conn, buf, sizeof buf)) > 0;) {
      body.append(buf, static_cast<std::size_t>(n));
    }
    const std::string reply = std::string(info->request_method) + " " + (type != nullptr ? type : "-") + " " +
                              std::to_string(info->content_length) + "\n" + body;
    mg_printf(conn,
              "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
              reply.size());
    mg_write(conn, reply.data(), reply.size());
    return 201;
  }
  mg_context* ctx_ = nullptr;
  int port_ = 0;
};

/// A TCP socket that listens but never accepts or answers: the kernel
/// completes the handshake, then nothing happens.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 4) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() {
    if (fd_ >= 0) ::close(fd_);
  }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// One of each server per test process, never stopped: civetweb's stop
// waits up to 2 s for its accept poll to time out, and process exit ends
// its threads anyway.
MetricsServer& metrics_server() {
  static auto* server = new MetricsServer(200);  // ~10 KiB of series
  return *server;
}
EchoServer& echo_server() {
  static auto* server = new EchoServer();
  return *server;
}

}  // namespace

TEST(HttpClient, GetReturnsStatus200TheBodyAndTheContentType) {
  MetricsServer& server = metrics_server();
  auto r = Client().get(url(server.port(), "/metrics"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->ok());
  EXPECT_NE(r->body.find("\nqbot_test_requests_total 3"), std::string::npos) << r->body;
  EXPECT_EQ(r->content_type.rfind("text/plain", 0), 0u) << r->content_type;
}

TEST(HttpClient, UnknownPathIsA404ResponseNotAnError) {
  MetricsServer& server = metrics_server();
  auto r = Client().get(url(server.port(), "/no-such-page"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 404);
  EXPECT_FALSE(r->ok());
}

TEST(HttpClient, ClosedPortIsAConnectErrorNamingMethodAndUrl) {
  const std::uint16_t port = qbot::test::free_tcp_port();  // nothing listens there
  const std::string target = url(port, "/metrics");
  auto r = Client().get(target);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Connect) << r.error().message;
  EXPECT_NE(r.error().message.find("GET \"" + target + "\""), std::string::npos) << r.error().message;
}

TEST(HttpClient, ServerThatNeverAnswersTimesOutAtTheTotalTimeout) {
  SilentListener silent;
  ASSERT_NE(silent.port(), 0);
  Options options;
  options.total_timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  auto r = Client(options).get(url(silent.port(), "/metrics"));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Timeout) << r.error().message;
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_LT(took, std::chrono::seconds(3)) << "the timeout bounds the wait";
}

TEST(HttpClient, BodyOverTheCapIsTooLargeAndUnderTheCapIsRead) {
  MetricsServer& server = metrics_server();
  Options small;
  small.max_response_bytes = 1024;
  auto capped = Client(small).get(url(server.port(), "/metrics"));
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.error().kind, ErrorKind::TooLarge) << capped.error().message;
  EXPECT_NE(capped.error().message.find("1024 bytes"), std::string::npos) << capped.error().message;

  Options roomy;
  roomy.max_response_bytes = 1u << 20;
  auto whole = Client(roomy).get(url(server.port(), "/metrics"));
  ASSERT_TRUE(whole.ok()) << whole.error().message;
  EXPECT_GT(whole->body.size(), 1024u);
  EXPECT_NE(whole->body.find("series=\"199\""), std::string::npos);
}

TEST(HttpClient, PostPutAndPatchSendMethodContentTypeAndBody) {
  EchoServer& echo = echo_server();
  ASSERT_NE(echo.port(), 0);
  Client client;
  const std::string target = url(echo.port(), "/echo");
  const std::string body = R"({"key":"qbot","value":"ready"})";
  auto post = client.post(target, body, "application/json");
  ASSERT_TRUE(post.ok()) << post.error().message;
  EXPECT_EQ(post->status, 201);
  EXPECT_EQ(post->body, "POST application/json " + std::to_string(body.size()) + "\n" + body);
  auto put = client.put(target, "{}", "application/json");
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_EQ(put->body, "PUT application/json 2\n{}");
  auto patch = client.patch(target, R"({"count":"3"})", "application/merge-patch+json");
  ASSERT_TRUE(patch.ok()) << patch.error().message;
  EXPECT_EQ(patch->body, "PATCH application/merge-patch+json 13\n{\"count\":\"3\"}");
}

TEST(HttpClient, EmptyPostBodyIsSentAsContentLengthZero) {
  EchoServer& echo = echo_server();
  ASSERT_NE(echo.port(), 0);
  auto r = Client().post(url(echo.port(), "/echo"), "", "application/json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "POST application/json 0\n");
}

TEST(HttpClient, BadUrlsAreRefusedBeforeConnecting) {
  for (const char* bad :
       {"", "127.0.0.1:9/metrics", "ftp://127.0.0.1/x", "file:///etc/passwd", "http://", "not a url"}) {
    auto r = Client().get(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::BadRequest) << bad << ": " << r.error().message;
    EXPECT_FALSE(check_url(bad).ok()) << bad;
  }
  EXPECT_TRUE(check_url("http://127.0.0.1:9358/ready").ok());
  EXPECT_TRUE(check_url("https://example.org/metrics").ok());
}

TEST(HttpClient, ContentTypeWithALineBreakIsRefused) {
  EchoServer& echo = echo_server();
  auto r = Client().post(url(echo.port(), "/echo"), "{}", "application/json\r\nX-Injected: 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::BadRequest) << r.error().message;
}

TEST(HttpClient, OneClientServesManyRequestsAndRecoversAfterAnError) {
  MetricsServer& server = metrics_server();
  Client client;
  for (int i = 0; i < 5; ++i) {
    auto ok = client.get(url(server.port(), "/metrics"));
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->status, 200);
  }
  auto refused = client.get(url(qbot::test::free_tcp_port(), "/metrics"));
  EXPECT_FALSE(refused.ok());
  auto again = client.get(url(server.port(), "/metrics"));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->status, 200);
}

TEST(HttpClient, OneClientPerThreadWorksConcurrently) {
  MetricsServer& server = metrics_server();
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Client client;  // one handle per thread, as documented
      for (int i = 0; i < 10; ++i) {
        auto r = client.get(url(server.port(), "/metrics"));
        if (r.ok() && r->status == 200) answered += 1;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered.load(), 40);
}

TEST(HttpClient, MovedFromClientReportsUnavailableInsteadOfCrashing) {
  Client a;
  Client b(std::move(a));
  auto r = a.get("http://127.0.0.1:1/");  // NOLINT(bugprone-use-after-move): the point of the test
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Unavailable);
}
