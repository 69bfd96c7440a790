#include "guest_login.h"

#include "proto/version.h"

namespace qbot::attack {

LoginResult login_guest(RawPeer& peer, proto::Encoder& encoder, const std::string& name,
                        std::chrono::milliseconds timeout) {
  proto::Hello hello;
  hello.protocol_version = proto::kProtocolVersion;
  hello.guest_name = name;
  hello.client_build = "qbot-attack";
  peer.send_reliable(0, encoder.encode(hello));
  const auto deadline = RawPeer::Clock::now() + timeout;
  while (RawPeer::Clock::now() < deadline) {
    for (const auto& p : peer.poll(std::chrono::milliseconds(10))) {
      if (p.channel != 0) continue;
      auto m = proto::decode(p.bytes, proto::Sender::Server, 0);
      if (!m) continue;
      if (std::holds_alternative<proto::Welcome>(*m)) return {LoginOutcome::Welcomed, proto::RejectReason::Unknown};
      if (const auto* r = std::get_if<proto::Reject>(&*m)) return {LoginOutcome::Rejected, r->reason};
    }
    if (peer.disconnected()) {
      return {LoginOutcome::Disconnected, static_cast<proto::RejectReason>(peer.disconnect_data() & 0xFF)};
    }
  }
  return {};
}

std::uint64_t count_snapshots(const std::vector<Delivered>& packets) {
  std::uint64_t n = 0;
  for (const auto& p : packets) {
    if (p.channel != 1) continue;
    auto m = proto::decode(p.bytes, proto::Sender::Server, 1);
    if (m && std::holds_alternative<proto::Snapshot>(*m)) n += 1;
  }
  return n;
}

}  // namespace qbot::attack
