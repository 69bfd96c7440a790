// Fuzz target: the server's gate in front of ENet (net/datagram_gate.h), the
// first code that reads a datagram from the internet. Each input is a short
// script of datagrams from a few addresses, with time passing between them;
// a CONNECT the gate lets through gets a slot as ENet would give it. Must
// never crash, and must hold the gate's promises: a reply to an unproven
// source is never larger than what it sent, a cut names a real slot, and
// the unwelcomed count never exceeds the pool.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "fuzz_seeds.h"
#include "net/datagram_gate.h"

namespace {

using namespace qbot::net;

constexpr std::size_t kSlots = 16;

void check(bool promise) {
  if (!promise) std::abort();
}

struct Bench {
  GateConfig cfg = [] {
    GateConfig c;
    c.max_unwelcomed = 8;
    c.max_unwelcomed_per_ip = 4;
    return c;
  }();
  DatagramGate gate{cfg, kSlots, qbot::token::CookieKey{}};
  std::vector<PeerView> peers = std::vector<PeerView>(kSlots);
  std::uint32_t next_id = 1;
};

/// One step: header byte = source (low 2 bits), what to do after (bits 2-3),
/// time step (bits 4-7, x 100 ms); then a length byte and the datagram.
void step(Bench& b, UdpAddress from, std::uint8_t op, std::span<const std::uint8_t> d, std::uint32_t now) {
  const std::uint16_t peer_id = d.size() >= 2 ? static_cast<std::uint16_t>(((d[0] << 8) | d[1]) & 0x0FFF) : 0;
  const PeerView* addressed = peer_id < kSlots ? &b.peers[peer_id] : nullptr;
  const GateVerdict v = b.gate.inspect(d, from, addressed, now);
  if (v.action == GateVerdict::Action::ReplyCookie) check(v.reply.size() <= d.size());
  if (v.cut) {
    check(v.cut->slot < kSlots);
    b.peers[v.cut->slot] = PeerView{};
  }
  const bool connect = peer_id == kNoPeerId && v.action == GateVerdict::Action::Pass;
  if (connect) {
    for (PeerView& p : b.peers) {
      if (p.phase != PeerPhase::Free) continue;
      p = PeerView{op & 1 ? PeerPhase::Connected : PeerPhase::HalfOpen, b.next_id++, from, now, 2, {0, 0}};
      b.gate.recount(b.peers, now);
      break;
    }
  }
  if (op == 2 && peer_id < kSlots) b.gate.mark_welcomed(peer_id, b.peers[peer_id].connect_id);
  if (op == 3) {
    std::vector<Cut> cuts;
    b.gate.expire(b.peers, now, cuts);
    for (const Cut& c : cuts) {
      check(c.slot < kSlots);
      b.peers[c.slot] = PeerView{};
    }
  }
  check(b.gate.counters().unwelcomed <= b.cfg.max_unwelcomed + kSlots);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bench b;
  std::uint32_t now = 100000;
  std::size_t pos = 0;
  for (int i = 0; i < 32 && pos + 2 <= size; ++i) {
    const std::uint8_t head = data[pos];
    const std::size_t len = std::min<std::size_t>(size - pos - 2, data[pos + 1]);
    const std::span<const std::uint8_t> datagram(data + pos + 2, len);
    pos += 2 + len;
    now += (head >> 4) * 100u;
    const UdpAddress from{0x7F000001u + (head & 3u), 40000};
    step(b, from, static_cast<std::uint8_t>((head >> 2) & 3u), datagram, now);
  }
  return 0;
}

std::vector<std::vector<std::uint8_t>> qbot_fuzz_seeds() {
  // A cookie request, a CONNECT without cookie (peer 0xFFF, sent time, CONNECT
  // with the acknowledge flag), a ping to slot 0 and a fragment to slot 0.
  std::vector<std::uint8_t> request{0x00, 32, 0xFF, 0xFF, 'Q', 'B', 'C', 'Q', 1};
  request.resize(2 + 32, 0);
  std::vector<std::uint8_t> connect{0x04, 52, 0x8F, 0xFF, 0x00, 0x01, 0x82, 0xFF, 0x00, 0x01};
  connect.resize(2 + 52, 0);
  const std::vector<std::uint8_t> ping{0x1C, 6, 0x80, 0x00, 0x00, 0x01, 0x85, 0xFF, 0x00, 0x01};
  std::vector<std::uint8_t> fragment{0x28, 40, 0x00, 0x00, 0x88, 0x00, 0x00, 0x01, 0x00, 0x08, 0x00, 0x01};
  fragment.resize(2 + 40, 0);
  std::vector<std::uint8_t> script = request;
  script.insert(script.end(), connect.begin(), connect.end());
  script.insert(script.end(), ping.begin(), ping.end());
  return {request, connect, ping, fragment, script};
}
