// transport-flood: ENet transport commands in bulk from one connected peer
// (a logged-in guest by default): PING, BANDWIDTH_LIMIT and/or
// THROTTLE_CONFIGURE, each reliable on the system channel, `per_datagram`
// to a datagram, spread evenly over the run. The server's ENet acknowledges
// each one and hands none of them to the application. Stops early when the
// server disconnects the peer (a kick), and reports when and why.
#include <thread>

#include "attacks.h"
#include "guest_login.h"

namespace qbot::attack {
namespace {

enum class Kind : std::uint8_t { Ping, Bandwidth, Throttle, Mixed };

std::optional<Kind> parse_kind(const std::string& s) {
  if (s == "ping") return Kind::Ping;
  if (s == "bandwidth") return Kind::Bandwidth;
  if (s == "throttle") return Kind::Throttle;
  if (s == "mixed") return Kind::Mixed;
  return std::nullopt;
}

void add_command(RawPeer& peer, wire::DatagramWriter& d, Kind kind, std::uint64_t index) {
  const Kind k = kind == Kind::Mixed ? static_cast<Kind>(index % 3) : kind;
  const std::uint16_t seq = peer.next_sequence(wire::kSystemChannel);
  switch (k) {
    case Kind::Bandwidth: d.bandwidth_limit(seq, 0, 0); break;
    case Kind::Throttle: d.throttle_configure(seq, 5000, 2, 0); break;
    default: d.ping(seq); break;
  }
}

struct Flood {
  std::uint64_t commands = 0;
  std::uint64_t snapshots = 0;
  std::optional<double> kicked_after_s;
};

/// Sends the commands, paced, while reading (and acknowledging) what comes.
Flood flood(const Common& c, const TransportFloodOptions& o, Kind kind, RawPeer& peer) {
  Flood f;
  const auto start = Clock::now();
  const auto end = deadline_after(c, o.over_s + 1);
  while (f.commands < o.commands && Clock::now() < end && !peer.disconnected()) {
    const std::uint64_t due = due_by(start, Clock::now(), o.commands, o.over_s);
    if (due - f.commands < o.per_datagram && due < o.commands) {
      f.snapshots += count_snapshots(peer.poll(Millis(1)));  // pacing, while reading
      continue;
    }
    // Full datagrams only, as a flooder packs them; the last one may be short.
    while (due - f.commands >= o.per_datagram || (due == o.commands && f.commands < due)) {
      auto d = peer.datagram();
      for (std::uint32_t i = 0; i < o.per_datagram && f.commands < due; ++i) add_command(peer, d, kind, f.commands++);
      peer.send(d);
    }
    f.snapshots += count_snapshots(peer.poll(Millis(0)));
  }
  const auto tail = std::min(end, Clock::now() + std::chrono::seconds(1));  // a late kick still counts
  while (Clock::now() < tail && !peer.disconnected()) f.snapshots += count_snapshots(peer.poll(Millis(10)));
  if (peer.disconnected()) f.kicked_after_s = seconds_since(start);
  return f;
}

}  // namespace

Outcome transport_flood(const Common& c, const TransportFloodOptions& o) {
  const auto kind = parse_kind(o.kind);
  if (!kind) return core::Err{"--kind must be ping, bandwidth, throttle or mixed, got '" + o.kind + "'"};
  if (o.per_datagram == 0 || o.per_datagram > 255) return core::Err{std::string("--per-datagram must be 1..255")};
  auto ip = LoopbackIp::parse(o.address);
  if (!ip) return core::Err{"--address: " + ip.error()};
  auto socket = UdpSocket::bind(*ip);
  if (!socket) return core::Err{socket.error()};
  auto data = connect_data(c, *socket);
  if (!data) return core::Err{data.error()};
  std::mt19937 rng(static_cast<std::uint32_t>(c.seed));
  RawPeer peer(std::move(*socket), c.target, static_cast<std::uint32_t>(rng()));
  if (!peer.connect(Millis(3000), *data)) return core::Err{std::string("no handshake within 3 s")};
  proto::Encoder encoder;
  const bool welcomed =
      o.after_welcome && login_guest(peer, encoder, "flood", Millis(3000)).outcome == LoginOutcome::Welcomed;
  const Flood f = flood(c, o, *kind, peer);
  Json j = report(c, "transport-flood");
  j["kind"] = o.kind;
  j["welcomed"] = welcomed;
  j["commands_sent"] = f.commands;
  j["acknowledged_by_server"] = peer.counts().acknowledgements;
  j["snapshots_received"] = f.snapshots;
  j["kicked"] = f.kicked_after_s.has_value();
  if (f.kicked_after_s) {
    j["kicked_after_s"] = *f.kicked_after_s;
    j["kick_reason"] = proto::reject_reason_name(static_cast<proto::RejectReason>(peer.disconnect_data() & 0xFF));
  }
  add_traffic(j, peer.traffic());
  return j;
}

}  // namespace qbot::attack
