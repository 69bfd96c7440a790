#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cookie_connect.h"
#include "net/address.h"
#include "net/datagram_check.h"
#include "net/net_host.h"
#include "ports.h"
#include "wait.h"

using namespace qbot::net;
using qbot::test::send_udp;

namespace {

std::unique_ptr<NetHost> server_host() {
  HostConfig hc;
  hc.bind_host = "127.0.0.1";
  hc.port = 0;
  hc.max_peers = 8;
  auto h = NetHost::create(hc);
  EXPECT_TRUE(h.ok()) << h.error();
  return std::move(h.value());
}
}  // namespace

TEST(DatagramCheck, RejectsObviousGarbage) {
  EXPECT_FALSE(plausible_enet_datagram({}, 8, false));
  const std::vector<std::uint8_t> one{0x00};
  EXPECT_FALSE(plausible_enet_datagram(one, 8, false));
  // Header only, no command.
  const std::vector<std::uint8_t> header_only{0x0f, 0xff};
  EXPECT_FALSE(plausible_enet_datagram(header_only, 8, false));
  // Peer id 5 on a host with 4 peers.
  const std::vector<std::uint8_t> bad_peer{0x00, 0x05, 0x05, 0x00, 0x00, 0x01};
  EXPECT_FALSE(plausible_enet_datagram(bad_peer, 4, false));
  // Command number 0 / 13 are invalid.
  const std::vector<std::uint8_t> bad_cmd{0x0f, 0xff, 0x0d, 0x00, 0x00, 0x01};
  EXPECT_FALSE(plausible_enet_datagram(bad_cmd, 8, false));
  // SEND_UNRELIABLE claiming 100 payload bytes with none present.
  const std::vector<std::uint8_t> short_payload{0x00, 0x00, 0x07, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x64};
  EXPECT_FALSE(plausible_enet_datagram(short_payload, 8, false));
}

TEST(DatagramCheck, AcceptsAWellFormedPing) {
  // peer 0, PING (5) with its 4-byte header.
  const std::vector<std::uint8_t> ping{0x00, 0x00, 0x85, 0xff, 0x00, 0x01};
  EXPECT_TRUE(plausible_enet_datagram(ping, 8, false));
  // A ping from "no peer" (0xFFF) is not something ENet accepts.
  const std::vector<std::uint8_t> orphan_ping{0x0f, 0xff, 0x85, 0xff, 0x00, 0x01};
  EXPECT_FALSE(plausible_enet_datagram(orphan_ping, 8, false));
}

TEST(DatagramCheck, CompressedDatagramsNeedACompressor) {
  const std::vector<std::uint8_t> compressed{0x40, 0x00, 0x12, 0x34, 0x56};
  EXPECT_FALSE(plausible_enet_datagram(compressed, 8, false));
  EXPECT_TRUE(plausible_enet_datagram(compressed, 8, true));
}

TEST(NetHost, RealTrafficIsNeverCountedAsMalformedButGarbageIs) {
  auto server = server_host();
  HostConfig cc;
  cc.max_peers = 1;
  auto client = NetHost::create(cc);
  ASSERT_TRUE(client.ok());
  NetEvent ev;
  auto peer = qbot::test::connect_with_cookie(**client, {"127.0.0.1", server->port()}, 42, [&] {
    while (server->service(ev, 0)) {
    }
  });
  ASSERT_TRUE(peer);

  bool server_connected = false, client_connected = false, got_payload = false;
  PeerRef server_side;
  const std::vector<std::uint8_t> payload{1, 2, 3, 4};
  ASSERT_TRUE(qbot::test::eventually([&] {
    while (server->service(ev, 0)) {
      if (ev.type == NetEvent::Type::Connect) {
        server_connected = true;
        server_side = ev.peer;
      }
      if (ev.type == NetEvent::Type::Receive) got_payload = ev.packet.bytes().size() == payload.size();
    }
    while ((*client)->service(ev, 0)) {
      if (ev.type == NetEvent::Type::Connect) {
        client_connected = true;
        EXPECT_EQ(ev.user_data, 42u);
        (*client)->send(*peer, kGameChannel, payload, Delivery::Unreliable);
        (*client)->send(*peer, kControlChannel, payload, Delivery::Reliable);
      }
    }
    (*client)->flush();
    return server_connected && client_connected && got_payload;
  }));
  EXPECT_EQ(server->totals().malformed_datagrams, 0u);
  EXPECT_GT(server->totals().datagrams_received, 0u);

  send_udp(server->port(), {0xde, 0xad, 0xbe, 0xef, 0x01});
  send_udp(server->port(), {0x42});
  ASSERT_TRUE(qbot::test::eventually([&] {
    while (server->service(ev, 0)) {
    }
    return server->totals().malformed_datagrams == 2;
  }));
  // The connection is unaffected.
  EXPECT_TRUE(server->alive(server_side));
}

TEST(NetHost, StaleRefsSendNothing) {
  auto server = server_host();
  PeerRef bogus;
  EXPECT_FALSE(server->send(bogus, kGameChannel, std::vector<std::uint8_t>{1}, Delivery::Unreliable));
  EXPECT_FALSE(server->alive(bogus));
}

TEST(Endpoint, ParsesHostAndPort) {
  auto e = parse_endpoint("127.0.0.1:7777");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 7777);
  EXPECT_FALSE(parse_endpoint("localhost").ok());
  EXPECT_FALSE(parse_endpoint("host:0").ok());
  EXPECT_FALSE(parse_endpoint("host:70000").ok());
  EXPECT_FALSE(parse_endpoint(":80").ok());
  EXPECT_FALSE(parse_endpoint("host:80x").ok());
}
