// The NetWorker's queues between the tick and the network thread are
// bounded: a stalled tick loses received packets (counted), never memory; a
// stalled network thread loses unreliable sends first, then reliable ones
// (counted). Real ENet on loopback, the network thread running.
#include <gtest/gtest.h>

#include "cookie_connect.h"
#include "net/net_worker.h"
#include "wait.h"

using namespace qbot::net;

namespace {

struct Pair {
  std::unique_ptr<NetWorker> server;
  std::unique_ptr<NetHost> client;
  PeerRef to_server;
  PeerRef to_client;  // the server's ref of the client
};

/// A server NetWorker (network thread on) with `limits` and one connected client.
Pair connected_pair(QueueLimits limits) {
  HostConfig sc;
  sc.bind_host = "127.0.0.1";
  sc.max_peers = 4;
  auto server = NetWorker::create(sc, NetWorker::Mode::Thread, limits);
  EXPECT_TRUE(server.ok()) << server.error();
  HostConfig cc;
  cc.max_peers = 1;
  auto client = NetHost::create(cc);
  EXPECT_TRUE(client.ok());
  Pair p{std::move(server.value()), std::move(client.value()), {}, {}};
  // The server's network thread answers the cookie request by itself.
  auto peer = qbot::test::connect_with_cookie(*p.client, {"127.0.0.1", p.server->port()}, 1);
  EXPECT_TRUE(peer);
  p.to_server = *peer;
  std::vector<NetEvent> events;
  bool client_up = false;
  EXPECT_TRUE(qbot::test::eventually([&] {
    NetEvent ev;
    while (p.client->service(ev, 0)) client_up = client_up || ev.type == NetEvent::Type::Connect;
    p.server->poll(events, std::chrono::milliseconds(0));
    for (const NetEvent& e : events) {
      if (e.type == NetEvent::Type::Connect) p.to_client = e.peer;
    }
    events.clear();
    return client_up && static_cast<bool>(p.to_client);
  }));
  return p;
}

std::size_t count_received(std::vector<NetEvent>& events) {
  std::size_t n = 0;
  for (const NetEvent& e : events) n += e.type == NetEvent::Type::Receive ? 1 : 0;
  return n;
}

}  // namespace

TEST(NetWorker, AStalledTickLosesReceivedPacketsBeyondTheInboxBoundAndCountsThem) {
  QueueLimits limits;
  limits.inbox_packets = 5;
  Pair p = connected_pair(limits);
  const std::vector<std::uint8_t> payload{1, 2, 3};
  for (int i = 0; i < 20; ++i) p.client->send(p.to_server, kControlChannel, payload, Delivery::Reliable);
  p.client->flush();
  // The tick does not poll meanwhile: the network thread fills the inbox to its bound.
  ASSERT_TRUE(qbot::test::eventually([&] {
    NetEvent ev;
    while (p.client->service(ev, 0)) {
    }
    return p.server->queue_drops().inbox_packets == 15;
  })) << "dropped "
      << p.server->queue_drops().inbox_packets;
  std::vector<NetEvent> events;
  p.server->poll(events, std::chrono::milliseconds(0));
  EXPECT_EQ(count_received(events), 5u);
  events.clear();
  // Once the tick has taken its events there is room again.
  p.client->send(p.to_server, kControlChannel, payload, Delivery::Reliable);
  p.client->flush();
  std::size_t later = 0;
  ASSERT_TRUE(qbot::test::eventually([&] {
    p.server->poll(events, std::chrono::milliseconds(0));
    later += count_received(events);
    events.clear();
    return later == 1;
  }));
  EXPECT_EQ(p.server->queue_drops().inbox_packets, 15u);
}

TEST(NetWorker, ABackedUpOutboxDropsUnreliableSendsFirstThenReliableOnesAndCountsEach) {
  QueueLimits limits;
  limits.outbox_bytes = 1000;
  limits.outbox_bytes_reliable = 2000;
  Pair p = connected_pair(limits);
  const std::vector<std::uint8_t> chunk(400, 0xAB);
  // One batch of 6 x 400 unreliable bytes: the first two fit under 1000.
  for (int i = 0; i < 6; ++i) p.server->send(p.to_client, kGameChannel, chunk, Delivery::Unreliable);
  // Then reliable sends on top of the 800 queued: three more fit under 2000.
  for (int i = 0; i < 6; ++i) p.server->send(p.to_client, kControlChannel, chunk, Delivery::Reliable);
  p.server->flush();
  const QueueDrops d = p.server->queue_drops();
  EXPECT_EQ(d.outbox_unreliable, 4u);
  EXPECT_EQ(d.outbox_reliable, 3u);

  // What was kept arrives: 2 unreliable + 3 reliable packets.
  std::size_t unreliable = 0, reliable = 0;
  ASSERT_TRUE(qbot::test::eventually([&] {
    NetEvent ev;
    while (p.client->service(ev, 0)) {
      if (ev.type != NetEvent::Type::Receive) continue;
      (ev.channel == kGameChannel ? unreliable : reliable) += 1;
    }
    return reliable == 3;
  }));
  EXPECT_EQ(unreliable, 2u);
}
