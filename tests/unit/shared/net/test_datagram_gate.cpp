// DatagramGate, rule by rule, on datagrams written by the attack tool's own
// ENet 1.3 writer (tests/attack/enet_wire.h, checked against
// <enet/protocol.h>): virtual time, no socket, no ENet.
#include <gtest/gtest.h>

#include <vector>

#include "enet_wire.h"
#include "net/datagram_gate.h"

using namespace qbot::net;
namespace wire = qbot::attack::wire;

namespace {

constexpr std::size_t kSlots = 64;
constexpr std::uint32_t kT0 = 100000;  // ms; a window well after 0
const qbot::token::CookieKey kMaster{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

UdpAddress addr(std::uint32_t host, std::uint16_t port = 40000) { return UdpAddress{0x7F000000u | host, port}; }

std::vector<std::uint8_t> connect_datagram(std::uint32_t data, std::uint32_t connect_id = 7) {
  wire::DatagramWriter w(wire::kNoPeer, 0, std::uint16_t{1});
  wire::ConnectFields f;
  f.connect_id = connect_id;
  f.data = data;
  EXPECT_TRUE(w.connect(1, f));
  return {w.bytes().begin(), w.bytes().end()};
}

std::vector<std::uint8_t> cookie_request() {
  const CookieRequest r = make_cookie_request();
  return {r.begin(), r.end()};
}

/// A gate and the ENet peer table it watches; `open()` plays ENet
/// allocating a slot for a CONNECT the gate let through.
struct GateBench {
  explicit GateBench(GateConfig cfg = {}) : gate(cfg, kSlots, kMaster), peers(kSlots) {}

  GateVerdict connect(UdpAddress from, std::uint32_t now_ms) {
    return gate.inspect(connect_datagram(gate.cookie_for(from, now_ms)), from, nullptr, now_ms);
  }
  /// CONNECT with the right cookie, then the slot it gets; -1 if refused.
  int open(UdpAddress from, std::uint32_t now_ms, PeerPhase phase = PeerPhase::Connected) {
    const GateVerdict v = connect(from, now_ms);
    if (v.action != GateVerdict::Action::Pass) return -1;
    if (v.cut) peers[v.cut->slot] = PeerView{};  // NetHost resets an evicted peer
    for (std::size_t i = 0; i < peers.size(); ++i) {
      if (peers[i].phase != PeerPhase::Free) continue;
      peers[i] = PeerView{phase, next_connect_id++, from, now_ms, 2, {0, 0}};
      gate.recount(peers, now_ms);
      return static_cast<int>(i);
    }
    return -1;
  }
  GateVerdict from_peer(int slot, std::span<const std::uint8_t> d, std::uint32_t now_ms) {
    const PeerView& p = peers[static_cast<std::size_t>(slot)];
    return gate.inspect(d, p.address, &p, now_ms);
  }
  void welcome(int slot) {
    gate.mark_welcomed(static_cast<std::uint16_t>(slot), peers[static_cast<std::size_t>(slot)].connect_id);
  }

  DatagramGate gate;
  std::vector<PeerView> peers;
  std::uint32_t next_connect_id = 1000;
};

bool dropped(const GateVerdict& v, DropReason r) { return v.action == GateVerdict::Action::Drop && v.reason == r; }

wire::DatagramWriter peer_writer(int slot) {
  return wire::DatagramWriter(static_cast<std::uint16_t>(slot), 0, std::uint16_t{1});
}

}  // namespace

TEST(DatagramGate, ACookieRequestIsAnsweredWithFewerBytesThanItHadAndAShortOneIsDropped) {
  GateBench b;
  const auto request = cookie_request();
  const GateVerdict v = b.gate.inspect(request, addr(1), nullptr, kT0);
  ASSERT_EQ(v.action, GateVerdict::Action::ReplyCookie);
  EXPECT_LE(v.reply.size(), request.size());
  const auto parsed = parse_cookie_reply(v.reply);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->cookie, b.gate.cookie_for(addr(1), kT0));
  EXPECT_EQ(b.gate.counters().cookie_replies, 1u);

  const std::vector<std::uint8_t> truncated(request.begin(), request.begin() + 16);
  EXPECT_TRUE(dropped(b.gate.inspect(truncated, addr(1), nullptr, kT0), DropReason::ShortRequest));
}

TEST(DatagramGate, AConnectNeedsTheCookieOfItsOwnAddressFromThisOrThePreviousWindow) {
  GateBench b;
  const UdpAddress me = addr(1);
  EXPECT_TRUE(dropped(b.gate.inspect(connect_datagram(0), me, nullptr, kT0), DropReason::NoCookie));
  // Another address's cookie (another port of the same IP) is no proof.
  const std::uint32_t other = b.gate.cookie_for(addr(1, 40001), kT0);
  EXPECT_TRUE(dropped(b.gate.inspect(connect_datagram(other), me, nullptr, kT0), DropReason::BadCookie));

  const std::uint32_t mine = b.gate.cookie_for(me, kT0);
  EXPECT_EQ(b.gate.inspect(connect_datagram(mine), me, nullptr, kT0).action, GateVerdict::Action::Pass);
  EXPECT_EQ(b.gate.inspect(connect_datagram(mine), me, nullptr, kT0 + kCookieWindowMs).action,
            GateVerdict::Action::Pass);
  EXPECT_TRUE(
      dropped(b.gate.inspect(connect_datagram(mine), me, nullptr, kT0 + 2 * kCookieWindowMs), DropReason::BadCookie));
  EXPECT_EQ(b.gate.counters().dropped[static_cast<std::size_t>(DropReason::BadCookie)], 2u);
}

TEST(DatagramGate, OneAddressHoldsAtMostItsCapOfUnwelcomedPeersAndAWelcomeFreesOne) {
  GateConfig cfg;
  cfg.max_unwelcomed_per_ip = 3;
  GateBench b(cfg);
  std::vector<int> slots;
  for (std::uint16_t i = 0; i < 3; ++i) slots.push_back(b.open(addr(1, static_cast<std::uint16_t>(1000 + i)), kT0));
  for (int s : slots) ASSERT_GE(s, 0);
  EXPECT_TRUE(dropped(b.connect(addr(1, 2000), kT0), DropReason::PerIp));
  EXPECT_GE(b.open(addr(2), kT0), 0) << "another address is not held back";

  b.welcome(slots[0]);
  EXPECT_GE(b.open(addr(1, 2000), kT0), 0);
  EXPECT_EQ(b.gate.counters().unwelcomed, 4u);
}

TEST(DatagramGate, AFullPoolEvictsTheOldestStalePeerOfTheHeaviestAddressButNoYoungOne) {
  GateConfig cfg;
  cfg.max_unwelcomed = 6;
  cfg.max_unwelcomed_per_ip = 6;
  GateBench b(cfg);
  // The attacker: 5 handshakes that never send Hello, then one more later.
  std::vector<int> held;
  for (std::uint16_t i = 0; i < 5; ++i) held.push_back(b.open(addr(9, static_cast<std::uint16_t>(1000 + i)), kT0 + i));
  held.push_back(b.open(addr(9, 1005), kT0 + 400));
  ASSERT_EQ(b.gate.counters().unwelcomed, 6u);

  // Young peers (inside the grace a real client needs) are not evicted.
  EXPECT_TRUE(dropped(b.connect(addr(1), kT0 + 450), DropReason::PoolFull));

  // Later they are stale: a newcomer evicts the oldest of the heaviest address.
  const GateVerdict v = b.connect(addr(1), kT0 + 600);
  ASSERT_EQ(v.action, GateVerdict::Action::Pass);
  ASSERT_TRUE(v.cut.has_value());
  EXPECT_EQ(v.cut->reason, CutReason::Evicted);
  EXPECT_EQ(v.cut->slot, held[0]);
  EXPECT_EQ(b.gate.counters().cut[static_cast<std::size_t>(CutReason::Evicted)], 1u);
}

TEST(DatagramGate, PlayersArrivingTogetherFromOneAddressEachEvictAStaleAttackerPeer) {
  GateConfig cfg;
  cfg.max_unwelcomed = 8;
  cfg.max_unwelcomed_per_ip = 8;
  GateBench b(cfg);
  for (std::uint16_t i = 0; i < 8; ++i) ASSERT_GE(b.open(addr(9, static_cast<std::uint16_t>(1000 + i)), kT0), 0);
  // Four players behind one NAT connect in the same millisecond, none welcomed yet.
  int admitted = 0;
  for (std::uint16_t i = 0; i < 4; ++i)
    admitted += b.open(addr(1, static_cast<std::uint16_t>(3000 + i)), kT0 + 600) >= 0;
  EXPECT_EQ(admitted, 4);
  EXPECT_EQ(b.gate.counters().cut[static_cast<std::size_t>(CutReason::Evicted)], 4u);
}

TEST(DatagramGate, AddressesHoldingEqualSharesOfAFullPoolDoNotEvictEachOther) {
  GateConfig cfg;
  cfg.max_unwelcomed = 4;
  GateBench b(cfg);
  ASSERT_GE(b.open(addr(1, 1), kT0), 0);
  ASSERT_GE(b.open(addr(1, 2), kT0), 0);
  ASSERT_GE(b.open(addr(2, 1), kT0), 0);
  ASSERT_GE(b.open(addr(2, 2), kT0), 0);
  // Address 1 holds 2 stale peers, as many as the heaviest: no eviction.
  EXPECT_TRUE(dropped(b.connect(addr(1, 3), kT0 + 1000), DropReason::PoolFull));
}

TEST(DatagramGate, FragmentsAreRefusedBeforeWelcomeWhenImpossibleAndBeyondFourSetsInFlight) {
  GateBench b;
  const int slot = b.open(addr(1), kT0);
  ASSERT_GE(slot, 0);
  const std::vector<std::uint8_t> data(100, 0xAB);
  auto fragment = [&](std::uint16_t start, std::uint32_t count, std::uint32_t total) {
    auto w = peer_writer(slot);
    wire::FragmentFields f{start, count, 0, total, 0};
    EXPECT_TRUE(w.send_fragment(0, start, f, data));
    return std::vector<std::uint8_t>(w.bytes().begin(), w.bytes().end());
  };
  EXPECT_TRUE(dropped(b.from_peer(slot, fragment(1, 2, 1200), kT0), DropReason::Fragment)) << "unwelcomed";
  b.welcome(slot);
  EXPECT_TRUE(dropped(b.from_peer(slot, fragment(1, 1000, 1), kT0), DropReason::Fragment)) << "count > total";
  EXPECT_TRUE(dropped(b.from_peer(slot, fragment(1, 2, 1u << 20), kT0), DropReason::Fragment)) << "total > limit";
  for (std::uint16_t set = 1; set <= 4; ++set) {
    EXPECT_EQ(b.from_peer(slot, fragment(set, 2, 1200), kT0).action, GateVerdict::Action::Pass) << set;
  }
  EXPECT_TRUE(dropped(b.from_peer(slot, fragment(5, 2, 1200), kT0), DropReason::FragmentSets));
  // A second later the old sets no longer hold their places.
  EXPECT_EQ(b.from_peer(slot, fragment(5, 2, 1200), kT0 + 1000).action, GateVerdict::Action::Pass);
}

TEST(DatagramGate, AReliableSequenceFarAheadOfWhatWasDeliveredIsRefused) {
  GateBench b;
  const int slot = b.open(addr(1), kT0);
  const std::vector<std::uint8_t> payload(8, 1);
  auto reliable = [&](std::uint16_t seq) {
    auto w = peer_writer(slot);
    EXPECT_TRUE(w.send_reliable(0, seq, payload));
    return std::vector<std::uint8_t>(w.bytes().begin(), w.bytes().end());
  };
  EXPECT_EQ(b.from_peer(slot, reliable(5), kT0).action, GateVerdict::Action::Pass);
  EXPECT_TRUE(dropped(b.from_peer(slot, reliable(4000), kT0), DropReason::SequenceWindow));
}

TEST(DatagramGate, APeerOverItsTransportBudgetIsCutAndAQuietOneIsNot) {
  GateConfig cfg;
  cfg.transport_commands_per_s = 8;
  GateBench b(cfg);
  const int slot = b.open(addr(1), kT0);
  auto pings = [&](int n) {
    auto w = peer_writer(slot);
    for (int i = 0; i < n; ++i) EXPECT_TRUE(w.ping(static_cast<std::uint16_t>(i + 1)));
    return std::vector<std::uint8_t>(w.bytes().begin(), w.bytes().end());
  };
  EXPECT_EQ(b.from_peer(slot, pings(8), kT0).action, GateVerdict::Action::Pass);
  EXPECT_EQ(b.from_peer(slot, pings(8), kT0 + 1000).action, GateVerdict::Action::Pass) << "a new second";
  const GateVerdict v = b.from_peer(slot, pings(1), kT0 + 1001);
  EXPECT_TRUE(dropped(v, DropReason::TransportFlood));
  ASSERT_TRUE(v.cut.has_value());
  EXPECT_EQ(v.cut->slot, slot);
  EXPECT_EQ(v.cut->reason, CutReason::TransportFlood);
}

TEST(DatagramGate, HalfOpenPeersExpireAfterTheHandshakeTimeoutAndSilentOnesAfterTheDeadPeerTime) {
  GateConfig cfg;
  cfg.handshake_timeout_ms = 2000;
  cfg.dead_peer_ms = 5000;
  GateBench b(cfg);
  const int half_open = b.open(addr(1), kT0, PeerPhase::HalfOpen);
  const int silent = b.open(addr(2), kT0);
  const int chatty = b.open(addr(3), kT0);
  std::vector<Cut> cuts;
  b.gate.expire(b.peers, kT0 + 1999, cuts);
  EXPECT_TRUE(cuts.empty());
  b.gate.expire(b.peers, kT0 + 2000, cuts);
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0].slot, half_open);
  EXPECT_EQ(cuts[0].reason, CutReason::HandshakeTimeout);

  b.peers[static_cast<std::size_t>(half_open)] = PeerView{};  // NetHost reset it
  b.peers[static_cast<std::size_t>(chatty)].last_receive_ms = kT0 + 4000;
  cuts.clear();
  b.gate.expire(b.peers, kT0 + 5000, cuts);
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0].slot, silent);
  EXPECT_EQ(cuts[0].reason, CutReason::Dead);
}

TEST(DatagramGate, ADatagramForAFreeSlotOrFromAnotherAddressIsDropped) {
  GateBench b;
  const int slot = b.open(addr(1), kT0);
  auto w = peer_writer(slot);
  ASSERT_TRUE(w.ping(1));
  const PeerView& p = b.peers[static_cast<std::size_t>(slot)];
  EXPECT_TRUE(dropped(b.gate.inspect(w.bytes(), addr(2), &p, kT0), DropReason::UnknownPeer));
  const PeerView free_slot{};
  EXPECT_TRUE(dropped(b.gate.inspect(w.bytes(), addr(1), &free_slot, kT0), DropReason::UnknownPeer));
  const std::vector<std::uint8_t> header_only{0x00, 0x00};
  EXPECT_TRUE(dropped(b.gate.inspect(header_only, addr(1), &p, kT0), DropReason::Malformed));
}
