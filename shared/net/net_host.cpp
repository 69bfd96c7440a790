#include "net/net_host.h"

#include <enet/enet.h>

#include <mutex>

#include "net/datagram_check.h"

namespace qbot::net {
namespace {

std::once_flag g_enet_init;  // enet_initialize is process-wide and idempotent for us

bool same_connection(const ENetPeer* p, std::uint32_t connect_id) {
  return p != nullptr && p->connectID == connect_id &&
         (p->state == ENET_PEER_STATE_CONNECTED || p->state == ENET_PEER_STATE_DISCONNECT_LATER);
}

// ENet's intercept hook has no user pointer; the host being serviced on this
// thread is published here for the duration of service() only.
thread_local HostTotals* t_servicing_totals = nullptr;

}  // namespace

Packet& Packet::operator=(Packet&& o) noexcept {
  if (this != &o) {
    if (p_ != nullptr) enet_packet_destroy(p_);
    p_ = o.p_;
    o.p_ = nullptr;
  }
  return *this;
}

Packet::~Packet() {
  if (p_ != nullptr) enet_packet_destroy(p_);
}

std::span<const std::uint8_t> Packet::bytes() const {
  if (p_ == nullptr) return {};
  return {p_->data, p_->dataLength};
}

core::Result<std::unique_ptr<NetHost>, std::string> NetHost::create(const HostConfig& cfg) {
  int init_rc = 0;
  std::call_once(g_enet_init, [&] { init_rc = enet_initialize(); });
  if (init_rc != 0) return core::Err{std::string("enet_initialize failed")};
  if (cfg.max_peers == 0 || cfg.max_peers > ENET_PROTOCOL_MAXIMUM_PEER_ID) {
    return core::Err{"max_peers must be 1.." + std::to_string(ENET_PROTOCOL_MAXIMUM_PEER_ID)};
  }

  ENetHost* host = nullptr;
  if (!cfg.bind_host.empty()) {
    ENetAddress addr{};
    if (enet_address_set_host(&addr, cfg.bind_host.c_str()) != 0) {
      return core::Err{"cannot resolve bind address '" + cfg.bind_host + "'"};
    }
    addr.port = cfg.port;
    host = enet_host_create(&addr, cfg.max_peers, kChannelCount, 0, 0);
    if (host == nullptr) {
      return core::Err{"cannot bind UDP " + cfg.bind_host + ":" + std::to_string(cfg.port) + " (in use?)"};
    }
  } else {
    host = enet_host_create(nullptr, cfg.max_peers, kChannelCount, 0, 0);
    if (host == nullptr) return core::Err{std::string("cannot create client host")};
  }
  // PITFALLS: ENet defaults allow 32 MiB packets and waiting data per peer.
  host->maximumPacketSize = cfg.max_packet_bytes;
  host->maximumWaitingData = cfg.max_waiting_bytes;
  host->duplicatePeers = cfg.connections_per_ip;
  host->intercept = &NetHost::intercept;
  enet_socket_set_option(host->socket, ENET_SOCKOPT_RCVBUF, cfg.socket_buffer_bytes);
  enet_socket_set_option(host->socket, ENET_SOCKOPT_SNDBUF, cfg.socket_buffer_bytes);
  if (cfg.compress && enet_host_compress_with_range_coder(host) != 0) {
    enet_host_destroy(host);
    return core::Err{std::string("cannot enable ENet range coder")};
  }
  return std::unique_ptr<NetHost>(new NetHost(host, cfg.peer_timeout_ms));
}

NetHost::~NetHost() {
  if (host_ != nullptr) enet_host_destroy(host_);
}

int NetHost::intercept(ENetHost* host, ENetEvent* /*event*/) {
  if (t_servicing_totals != nullptr && !plausible_enet_datagram({host->receivedData, host->receivedDataLength},
                                                                host->peerCount, host->compressor.context != nullptr)) {
    t_servicing_totals->malformed_datagrams += 1;
  }
  return 0;  // ENet stays the parser of record
}

core::Result<PeerRef, std::string> NetHost::connect(const Endpoint& to, std::uint64_t user_data) {
  ENetAddress addr{};
  if (enet_address_set_host(&addr, to.host.c_str()) != 0) return core::Err{"cannot resolve '" + to.host + "'"};
  addr.port = to.port;
  ENetPeer* p = enet_host_connect(host_, &addr, kChannelCount, 0);
  if (p == nullptr) return core::Err{std::string("no free peer slot")};
  p->data = reinterpret_cast<void*>(static_cast<std::uintptr_t>(user_data));
  // Only the local timeout here: throttle_configure sends a reliable command,
  // which must wait until the connection is up (see the Connect event).
  enet_peer_timeout(p, 0, peer_timeout_ms_, peer_timeout_ms_);
  return PeerRef{p, p->connectID};
}

bool NetHost::service(NetEvent& ev, std::uint32_t timeout_ms) {
  ENetEvent e;
  t_servicing_totals = &totals_;
  const int rc = enet_host_service(host_, &e, timeout_ms);
  t_servicing_totals = nullptr;
  if (rc <= 0) return false;
  ev = NetEvent{};
  ev.peer = PeerRef{e.peer, e.peer ? e.peer->connectID : 0};
  ev.user_data = e.peer ? static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(e.peer->data)) : 0;
  ev.channel = e.channelID;
  ev.data = e.data;
  switch (e.type) {
    case ENET_EVENT_TYPE_CONNECT:
      ev.type = NetEvent::Type::Connect;
      configure_peer(e.peer);
      break;
    case ENET_EVENT_TYPE_DISCONNECT:
      // PITFALLS: only peer->data is meaningful here.
      ev.type = NetEvent::Type::Disconnect;
      ev.peer.connect_id = 0;
      break;
    case ENET_EVENT_TYPE_RECEIVE:
      ev.type = NetEvent::Type::Receive;
      ev.packet = Packet(e.packet);
      break;
    default: ev.type = NetEvent::Type::None; break;
  }
  return true;
}

void NetHost::configure_peer(ENetPeer* p) const {
  // enet_peer_reset restores defaults whenever a slot is reused, so these
  // are applied per connection, not once per host.
  enet_peer_timeout(p, 0, peer_timeout_ms_, peer_timeout_ms_);
  // We run our own bandwidth control: never let ENet's throttle discard
  // unreliable packets (deceleration 0 keeps the throttle at its maximum).
  enet_peer_throttle_configure(p, ENET_PEER_PACKET_THROTTLE_INTERVAL, ENET_PEER_PACKET_THROTTLE_ACCELERATION, 0);
}

void NetHost::flush() { enet_host_flush(host_); }

bool NetHost::send(PeerRef ref, std::uint8_t channel, std::span<const std::uint8_t> bytes, Delivery delivery) {
  if (!same_connection(ref.peer, ref.connect_id) || channel >= kChannelCount) return false;
  const enet_uint32 flags = delivery == Delivery::Reliable ? ENET_PACKET_FLAG_RELIABLE : 0;
  ENetPacket* pkt = enet_packet_create(bytes.data(), bytes.size(), flags);
  if (pkt == nullptr) return false;
  if (enet_peer_send(ref.peer, channel, pkt) != 0) {
    enet_packet_destroy(pkt);
    return false;
  }
  return true;
}

void NetHost::disconnect_later(PeerRef ref, std::uint32_t data) {
  if (same_connection(ref.peer, ref.connect_id)) enet_peer_disconnect_later(ref.peer, data);
}

void NetHost::disconnect_now(PeerRef ref, std::uint32_t data) {
  if (same_connection(ref.peer, ref.connect_id)) enet_peer_disconnect_now(ref.peer, data);
}

void NetHost::set_user_data(PeerRef ref, std::uint64_t data) {
  if (ref.peer != nullptr) ref.peer->data = reinterpret_cast<void*>(static_cast<std::uintptr_t>(data));
}

bool NetHost::alive(PeerRef ref) const { return same_connection(ref.peer, ref.connect_id); }

void NetHost::connected_rtts(std::vector<std::uint32_t>& out) const {
  out.clear();
  for (std::size_t i = 0; i < host_->peerCount; ++i) {
    const ENetPeer& p = host_->peers[i];
    if (p.state == ENET_PEER_STATE_CONNECTED) out.push_back(p.roundTripTime);
  }
}

PeerInfo NetHost::peer_info(PeerRef ref) const {
  PeerInfo info;
  if (ref.peer == nullptr) return info;
  info.rtt_ms = ref.peer->roundTripTime;
  info.last_rtt_ms = ref.peer->lastRoundTripTime;
  info.packet_loss = ref.peer->packetLoss;
  info.ip = ref.peer->address.host;
  char ip[64] = {0};
  if (enet_address_get_host_ip(&ref.peer->address, ip, sizeof ip) == 0) {
    info.address = std::string(ip) + ":" + std::to_string(ref.peer->address.port);
  }
  return info;
}

void NetHost::fold_counters() {
  totals_.bytes_sent += host_->totalSentData;
  totals_.bytes_received += host_->totalReceivedData;
  totals_.datagrams_sent += host_->totalSentPackets;
  totals_.datagrams_received += host_->totalReceivedPackets;
  host_->totalSentData = 0;
  host_->totalReceivedData = 0;
  host_->totalSentPackets = 0;
  host_->totalReceivedPackets = 0;
}

const HostTotals& NetHost::totals() {
  fold_counters();
  return totals_;
}

std::uint16_t NetHost::port() const {
  ENetAddress addr{};
  if (enet_socket_get_address(host_->socket, &addr) != 0) return 0;
  return addr.port;
}

std::size_t NetHost::connected_peers() const { return host_->connectedPeers; }

}  // namespace qbot::net
