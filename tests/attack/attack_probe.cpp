// probe: one well-behaved client built from the wire format, the tool's own
// check that its ENet (and, with --cookie-exchange, its address proof) is
// what a server accepts: handshake, Hello, snapshots for a while, quit.
#include "attacks.h"
#include "guest_login.h"
#include "proto/messages.h"

namespace qbot::attack {

Outcome probe(const Common& c, const ProbeOptions& o) {
  auto source = LoopbackIp::parse(o.address);
  if (!source) return core::Err{"--address: " + source.error()};
  auto socket = UdpSocket::bind(*source);
  if (!socket) return core::Err{socket.error()};
  auto data = connect_data(c, *socket);
  if (!data) return core::Err{data.error()};
  std::mt19937 rng(static_cast<std::uint32_t>(c.seed));
  RawPeer peer(std::move(*socket), c.target, static_cast<std::uint32_t>(rng()));
  const auto start = Clock::now();
  Json j = report(c, "probe");
  j["connected"] = peer.connect(Millis(3000), *data);
  proto::Encoder encoder;
  const LoginResult login =
      peer.connected() ? login_guest(peer, encoder, "probe", Millis(3000)) : LoginResult{LoginOutcome::TimedOut, {}};
  j["welcomed"] = login.outcome == LoginOutcome::Welcomed;
  j["reject_reason"] = proto::reject_reason_name(login.reason);
  std::uint64_t snapshots = 0;
  const auto end = deadline_after(c, o.seconds);
  while (login.outcome == LoginOutcome::Welcomed && Clock::now() < end && !peer.disconnected()) {
    snapshots += count_snapshots(peer.poll(Millis(10)));
  }
  if (peer.connected()) peer.disconnect(proto::kDisconnectQuit);
  j["snapshots"] = snapshots;
  j["elapsed_s"] = seconds_since(start);
  add_traffic(j, peer.traffic());
  return j;
}

}  // namespace qbot::attack
