// NetHost's intercept hook and upkeep: the hands and eyes of its
// DatagramGate (server hosts) and of its CookieJar (client hosts).
#include <enet/enet.h>

#include <algorithm>
#include <cstring>

#include "net/datagram_check.h"
#include "net/net_host.h"
#include "net/net_host_detail.h"

namespace qbot::net {
namespace {

constexpr std::uint32_t kSweepPeriodMs = 100;

PeerPhase phase_of(ENetPeerState state) {
  switch (state) {
    case ENET_PEER_STATE_CONNECTING:
    case ENET_PEER_STATE_ACKNOWLEDGING_CONNECT:
    case ENET_PEER_STATE_CONNECTION_PENDING:
    case ENET_PEER_STATE_CONNECTION_SUCCEEDED: return PeerPhase::HalfOpen;
    case ENET_PEER_STATE_CONNECTED:
    case ENET_PEER_STATE_DISCONNECT_LATER: return PeerPhase::Connected;
    case ENET_PEER_STATE_DISCONNECTING:
    case ENET_PEER_STATE_ACKNOWLEDGING_DISCONNECT: return PeerPhase::Closing;
    default: return PeerPhase::Free;  // DISCONNECTED, ZOMBIE: ENet ignores their datagrams
  }
}

PeerView view_of(const ENetPeer& p) {
  PeerView v;
  v.phase = phase_of(p.state);
  if (v.phase == PeerPhase::Free) return v;
  v.connect_id = p.connectID;
  v.address = UdpAddress{p.address.host, p.address.port};
  v.last_receive_ms = p.lastReceiveTime;
  v.channel_count = static_cast<std::uint8_t>(std::min<std::size_t>(p.channelCount, 255));
  for (std::size_t c = 0; c < v.incoming_reliable.size() && c < p.channelCount && p.channels != nullptr; ++c) {
    v.incoming_reliable[c] = p.channels[c].incomingReliableSequenceNumber;
  }
  return v;
}

DisconnectCause cause_of(CutReason r) {
  return r == CutReason::Dead ? DisconnectCause::Silent : DisconnectCause::Abuse;
}

}  // namespace

int NetHost::on_client_datagram() {
  const std::span<const std::uint8_t> d{host_->receivedData, host_->receivedDataLength};
  if (is_cookie_datagram(d)) {
    cookies_.on_datagram(UdpAddress{host_->receivedAddress.host, host_->receivedAddress.port}, d);
    return 1;  // not ENet's business
  }
  if (!plausible_enet_datagram(d, host_->peerCount, host_->compressor.context != nullptr)) {
    totals_.malformed_datagrams += 1;
  }
  return 0;
}

/// The gate reads commands, so a compressed datagram is decompressed first
/// (into our buffer: ENet decompresses its own copy again if it passes).
/// Empty if it does not decompress, which the gate drops as malformed.
std::span<const std::uint8_t> NetHost::decompressed(std::span<const std::uint8_t> d, std::size_t header_size) {
  if (host_->compressor.context == nullptr || host_->compressor.decompress == nullptr) return {};
  const std::size_t out =
      host_->compressor.decompress(host_->compressor.context, d.data() + header_size, d.size() - header_size,
                                   inflated_.data() + header_size, inflated_.size() - header_size);
  if (out == 0 || out > inflated_.size() - header_size) return {};
  std::memcpy(inflated_.data(), d.data(), header_size);
  inflated_[0] = static_cast<std::uint8_t>(inflated_[0] & ~(ENET_PROTOCOL_HEADER_FLAG_COMPRESSED >> 8));
  return {inflated_.data(), header_size + out};
}

int NetHost::on_server_datagram() {
  std::span<const std::uint8_t> d{host_->receivedData, host_->receivedDataLength};
  const UdpAddress from{host_->receivedAddress.host, host_->receivedAddress.port};
  auto header = is_cookie_datagram(d) ? std::nullopt : parse_datagram_header(d);
  if (header && header->compressed) {
    const auto plain = decompressed(d, header->size);
    if (!plain.empty()) d = plain;
  }
  PeerView view;
  const PeerView* addressed = nullptr;
  if (header && header->peer_id < host_->peerCount) {
    view = view_of(host_->peers[header->peer_id]);
    addressed = &view;
  }
  const GateVerdict verdict = gate_->inspect(d, from, addressed, host_->serviceTime);
  if (verdict.cut) carry_out(*verdict.cut);
  switch (verdict.action) {
    case GateVerdict::Action::Pass: return 0;
    case GateVerdict::Action::Drop: return 1;
    case GateVerdict::Action::ReplyCookie: send_raw(&host_->receivedAddress, verdict.reply); return 1;
  }
  return 1;
}

void NetHost::send_raw(const void* address, std::span<const std::uint8_t> bytes) {
  ENetBuffer buf;
  buf.data = const_cast<std::uint8_t*>(bytes.data());  // ENet's buffer type is not const; it only reads
  buf.dataLength = bytes.size();
  if (enet_socket_send(host_->socket, static_cast<const ENetAddress*>(address), &buf, 1) > 0) {
    totals_.bytes_sent += bytes.size();
    totals_.datagrams_sent += 1;
  }
}

/// Frees the cut peer's slot. A peer the application knows (it got the
/// Connect event, so `data` holds its connection id) gets a Disconnect event
/// from service(); a dead peer is told (one datagram), the others are reset
/// silently (inside ENet's receive loop nothing may be sent).
void NetHost::carry_out(const Cut& cut) {
  if (cut.slot >= host_->peerCount) return;
  ENetPeer* p = &host_->peers[cut.slot];
  if (p->state == ENET_PEER_STATE_DISCONNECTED) return;
  const auto user_data = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p->data));
  if (cut.reason == CutReason::Dead && detail::t_servicing != this) {
    enet_peer_disconnect_now(p, 0);
  } else {
    enet_peer_reset(p);
  }
  p->data = nullptr;
  if (user_data == 0) return;
  NetEvent ev;
  ev.type = NetEvent::Type::Disconnect;
  ev.peer = PeerRef{p, 0};
  ev.user_data = user_data;
  ev.cause = cause_of(cut.reason);
  synthetic_.push_back(std::move(ev));
}

std::span<const PeerView> NetHost::peer_views() {
  views_.resize(host_->peerCount);
  for (std::size_t i = 0; i < host_->peerCount; ++i) views_[i] = view_of(host_->peers[i]);
  return views_;
}

void NetHost::maintain() {
  const std::uint32_t now = enet_time_get();
  if (now - last_sweep_ms_ >= kSweepPeriodMs) {
    last_sweep_ms_ = now;
    cuts_.clear();
    gate_->expire(peer_views(), now, cuts_);
    for (const Cut& c : cuts_) carry_out(c);
  } else if (gate_->needs_recount()) {
    gate_->recount(peer_views(), now);
  }
}

void NetHost::mark_welcomed(PeerRef ref) {
  if (!gate_ || !alive(ref)) return;
  gate_->mark_welcomed(static_cast<std::uint16_t>(ref.peer - host_->peers), ref.connect_id);
}

core::Result<std::optional<std::uint32_t>, std::string> NetHost::connect_cookie(const Endpoint& to,
                                                                                std::uint64_t now_ms) {
  ENetAddress addr{};
  if (enet_address_set_host(&addr, to.host.c_str()) != 0) return core::Err{"cannot resolve '" + to.host + "'"};
  addr.port = to.port;
  const CookieJar::Step step = cookies_.step(UdpAddress{addr.host, addr.port}, now_ms);
  switch (step.next) {
    case CookieJar::Next::Connect: return std::optional<std::uint32_t>(step.data);
    case CookieJar::Next::SendRequest: send_raw(&addr, make_cookie_request()); break;
    case CookieJar::Next::Wait: break;
  }
  return std::optional<std::uint32_t>();
}

}  // namespace qbot::net
