// Hostile input against a real qbot-server process: garbage datagrams,
// garbage payloads, wrong protocol versions and silent clients are each
// handled and counted, while a well-behaved client keeps playing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ports.h"
#include "proto/version.h"
#include "server_process.h"
#include "test_client.h"
#include "wait.h"

using namespace qbot;
using namespace qbot::test;
using namespace std::chrono_literals;

namespace {

class HostileClients : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--hello-timeout-ms", "500"}, "hostile");
    good_ = std::make_unique<TestClient>();
    ASSERT_TRUE(good_->connect({"127.0.0.1", server_->port()}));
    ASSERT_TRUE(good_->join("good"));
  }
  /// The well-behaved client still receives fresh snapshots.
  void expect_good_client_served() {
    auto first = good_->receive_a<proto::Snapshot>(2s);
    ASSERT_TRUE(first);
    auto later = good_->receive_a<proto::Snapshot>(2s);
    ASSERT_TRUE(later);
    EXPECT_GT(later->server_tick, first->server_tick);
  }
  bool metric_reaches(const std::string& sample, double at_least) {
    return eventually([&] { return server_->metric(sample).value_or(0) >= at_least; }, 5s);
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<TestClient> good_;
};

}  // namespace

TEST_F(HostileClients, RawGarbageDatagramsAreCountedAndIgnored) {
  send_udp(server_->port(), {0xde, 0xad, 0xbe, 0xef, 0x99});
  send_udp(server_->port(), {0x01});
  send_udp(server_->port(), std::vector<std::uint8_t>(1200, 0xff));
  EXPECT_TRUE(metric_reaches("qbot_net_malformed_datagrams_total", 3));
  expect_good_client_served();
}

TEST_F(HostileClients, GarbageOrTruncatedPayloadIsRejectedAndCounted) {
  TestClient bad;
  ASSERT_TRUE(bad.connect({"127.0.0.1", server_->port()}));
  bad.send_raw(std::vector<std::uint8_t>{0x10, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x7f});
  std::uint32_t reason = 0;
  ASSERT_TRUE(bad.wait_disconnect(3s, &reason));
  EXPECT_EQ(reason, static_cast<std::uint32_t>(proto::RejectReason::BadMessage));

  TestClient cut;
  ASSERT_TRUE(cut.connect({"127.0.0.1", server_->port()}));
  proto::Encoder enc;
  proto::Hello h;
  h.protocol_version = proto::kProtocolVersion;
  h.guest_name = "truncated";
  const auto full = enc.encode(h);
  cut.send_raw(full.first(full.size() - 9));
  ASSERT_TRUE(cut.wait_disconnect(3s, &reason));
  EXPECT_EQ(reason, static_cast<std::uint32_t>(proto::RejectReason::BadMessage));

  EXPECT_TRUE(metric_reaches("qbot_decode_errors_total{kind=\"malformed\"}", 2));
  EXPECT_TRUE(metric_reaches("qbot_rejects_total{reason=\"bad_message\"}", 2));
  expect_good_client_served();
}

TEST_F(HostileClients, WrongProtocolVersionGetsAReject) {
  TestClient old;
  ASSERT_TRUE(old.connect({"127.0.0.1", server_->port()}));
  proto::Hello h;
  h.protocol_version = static_cast<std::uint16_t>(proto::kProtocolVersion + 7);
  h.guest_name = "from-the-future";
  h.client_build = "qbot-client 9.9";
  old.send(h);
  auto r = old.receive_a<proto::Reject>(3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, proto::RejectReason::ProtocolMismatch);
  EXPECT_TRUE(old.wait_disconnect(3s));
  EXPECT_TRUE(metric_reaches("qbot_rejects_total{reason=\"protocol_mismatch\"}", 1));
  expect_good_client_served();
}

TEST_F(HostileClients, SilentClientIsDisconnectedAfterTheHelloTimeout) {
  TestClient silent;
  ASSERT_TRUE(silent.connect({"127.0.0.1", server_->port()}));
  std::uint32_t reason = 0;
  ASSERT_TRUE(silent.wait_disconnect(5s, &reason));
  EXPECT_EQ(reason, static_cast<std::uint32_t>(proto::RejectReason::HelloTimeout));
  EXPECT_TRUE(metric_reaches("qbot_rejects_total{reason=\"hello_timeout\"}", 1));
  expect_good_client_served();
}
