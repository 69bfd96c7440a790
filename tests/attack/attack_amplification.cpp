// amplification: how many bytes the server sends towards an address that
// has proven nothing, for each byte it received from there. Measured on
// the wire (UDP payloads) at the source socket, which reads everything but
// answers nothing after its last request:
//   connect    one CONNECT, nothing else (what a spoofer sends);
//   bad-hello  CONNECT, the acknowledgement of VERIFY_CONNECT and one Hello
//              with a wrong protocol version, then silence: the server's
//              Reject and disconnect are never acknowledged. These are the
//              bytes a spoofer that guessed its acknowledgement right sends
//              (blind-handshake), so the ratio is the one the victim sees.
//              A server that drops the CONNECT (no cookie) never answers:
//              the exchange is then the CONNECT's bytes against nothing;
//   cookie     one pre-connect cookie request (docs/PROTOCOL.md, "Connect
//              cookie") and one shorter than the minimum: what a spoofer
//              gets back for asking.
// Run it without --cookie-exchange: with it every source has proven its
// address, and the ratios are no longer those of an unproven source.
#include <array>

#include "attacks.h"
#include "proto/codec.h"
#include "proto/version.h"
#include "raw_peer.h"

namespace qbot::attack {
namespace {

struct Exchange {
  std::uint64_t request_bytes = 0;
  std::uint64_t reply_bytes = 0;
  std::uint64_t reply_datagrams = 0;
  double ratio() const {
    return request_bytes == 0 ? 0.0 : static_cast<double>(reply_bytes) / static_cast<double>(request_bytes);
  }
};

/// Reads (never answering) until `end`; the peer's traffic then holds both directions.
Exchange listen(RawPeer& peer, Clock::time_point end) {
  peer.set_acknowledging(false);
  while (Clock::now() < end) peer.poll(until(end));
  return {peer.traffic().sent_bytes, peer.traffic().received_bytes, peer.traffic().received_datagrams};
}

core::Result<RawPeer, std::string> open_peer(const Common& c, LoopbackIp base, std::uint32_t offset,
                                             std::uint32_t& data, std::mt19937& rng) {
  auto source = LoopbackIp::offset(base, offset);
  if (!source) return core::Err{source.error()};
  auto socket = UdpSocket::bind(*source);
  if (!socket) return core::Err{socket.error()};
  auto d = connect_data(c, *socket);
  if (!d) return core::Err{d.error()};
  data = *d;
  return RawPeer(std::move(*socket), c.target, static_cast<std::uint32_t>(rng()));
}

core::Result<Exchange, std::string> connect_only(const Common& c, LoopbackIp base, double listen_s, std::mt19937& rng) {
  std::uint32_t data = 0;
  auto peer = open_peer(c, base, 1, data, rng);
  if (!peer) return core::Err{peer.error()};
  peer->set_acknowledging(false);
  peer->send_connect(data);
  return listen(*peer, deadline_after(c, listen_s));
}

core::Result<Exchange, std::string> bad_hello(const Common& c, LoopbackIp base, double listen_s, std::mt19937& rng) {
  std::uint32_t data = 0;
  auto peer = open_peer(c, base, 2, data, rng);
  if (!peer) return core::Err{peer.error()};
  // No VERIFY_CONNECT (the server dropped the CONNECT): keep listening, the
  // request bytes are counted all the same.
  if (!peer->connect(Millis(1000), data)) return listen(*peer, deadline_after(c, listen_s));
  const auto end = deadline_after(c, listen_s);
  proto::Hello hello;
  hello.protocol_version = static_cast<std::uint16_t>(proto::kProtocolVersion + 7);
  hello.guest_name = "amplifier";
  proto::Encoder encoder;
  peer->send_reliable(0, encoder.encode(hello));
  return listen(*peer, end);
}

/// One well-formed cookie request and one truncated to its first 8 bytes.
core::Result<Exchange, std::string> cookie_request(const Common& c, LoopbackIp base, double listen_s) {
  auto source = LoopbackIp::offset(base, 3);
  if (!source) return core::Err{source.error()};
  auto socket = UdpSocket::bind(*source);
  if (!socket) return core::Err{socket.error()};
  std::array<std::uint8_t, 32> request{0xFF, 0xFF, 'Q', 'B', 'C', 'Q', 1};
  socket->send_to(c.target, request);
  socket->send_to(c.target, std::span<const std::uint8_t>(request.data(), 8));
  const auto end = deadline_after(c, listen_s);
  std::array<std::uint8_t, wire::kMaxDatagram> buffer{};
  while (Clock::now() < end) socket->receive_from(c.target, buffer, std::max(until(end), Millis(1)));
  return Exchange{socket->traffic().sent_bytes, socket->traffic().received_bytes, socket->traffic().received_datagrams};
}

void add_exchange(Json& j, const std::string& prefix, const Exchange& e) {
  j[prefix + "_request_bytes"] = e.request_bytes;
  j[prefix + "_reply_bytes"] = e.reply_bytes;
  j[prefix + "_reply_datagrams"] = e.reply_datagrams;
  j[prefix + "_ratio"] = e.ratio();
}

}  // namespace

Outcome amplification(const Common& c, const AmplificationOptions& o) {
  auto base = LoopbackIp::parse(o.base);
  if (!base) return core::Err{"--base: " + base.error()};
  if (o.variant != "connect" && o.variant != "bad-hello" && o.variant != "cookie" && o.variant != "all") {
    return core::Err{"--variant must be connect, bad-hello, cookie or all, got '" + o.variant + "'"};
  }
  std::mt19937 rng(static_cast<std::uint32_t>(c.seed));
  Json j = report(c, "amplification");
  j["listen_s"] = o.listen_s;
  double worst = 0;
  Traffic total;
  const auto take = [&](const std::string& name, const core::Result<Exchange, std::string>& e) -> bool {
    if (!e) return false;
    add_exchange(j, name, *e);
    worst = std::max(worst, e->ratio());
    total.sent_bytes += e->request_bytes;
    total.received_bytes += e->reply_bytes;
    return true;
  };
  const bool all = o.variant == "all";
  if (all || o.variant == "connect") {
    auto e = connect_only(c, *base, o.listen_s, rng);
    if (!take("connect", e)) return core::Err{e.error()};
  }
  if (all || o.variant == "bad-hello") {
    auto e = bad_hello(c, *base, o.listen_s, rng);
    if (!take("bad_hello", e)) return core::Err{e.error()};
  }
  if (all || o.variant == "cookie") {
    auto e = cookie_request(c, *base, o.listen_s);
    if (!take("cookie", e)) return core::Err{e.error()};
  }
  j["worst_ratio"] = worst;
  j["sent_bytes"] = total.sent_bytes;
  j["received_bytes"] = total.received_bytes;
  return j;
}

}  // namespace qbot::attack
