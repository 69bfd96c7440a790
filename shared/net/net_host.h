#pragma once
// Thin, owning wrapper around one ENetHost. The only module that includes
// <enet/enet.h>. A NetHost belongs to ONE thread: enet_host_service both
// sends and receives (PITFALLS.md).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/address.h"

struct _ENetHost;
struct _ENetPeer;
struct _ENetPacket;
struct _ENetEvent;

namespace qbot::net {

/// ENet channels (PROTOCOL.md §1).
enum Channel : std::uint8_t {
  kControlChannel = 0,  // reliable, ordered
  kGameChannel = 1,     // unreliable, sequenced
  kChannelCount = 2,
};

enum class Delivery : std::uint8_t { Reliable, Unreliable };

/// Reference to a connected peer. `connect_id` detects a slot that ENet has
/// reused for a newer connection: such a stale ref sends nothing.
struct PeerRef {
  _ENetPeer* peer = nullptr;
  std::uint32_t connect_id = 0;
  explicit operator bool() const { return peer != nullptr; }
  friend bool operator==(const PeerRef&, const PeerRef&) = default;
};

/// A received ENet packet; destroys it when dropped.
class Packet {
 public:
  Packet() = default;
  explicit Packet(_ENetPacket* p) : p_(p) {}
  Packet(Packet&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  Packet& operator=(Packet&& o) noexcept;
  Packet(const Packet&) = delete;
  Packet& operator=(const Packet&) = delete;
  ~Packet();
  std::span<const std::uint8_t> bytes() const;

 private:
  _ENetPacket* p_ = nullptr;
};

struct NetEvent {
  enum class Type : std::uint8_t { None, Connect, Disconnect, Receive };
  Type type = Type::None;
  PeerRef peer;
  std::uint64_t user_data = 0;  // what set_user_data stored (valid for all types)
  std::uint8_t channel = 0;
  Packet packet;           // Receive only
  std::uint32_t data = 0;  // Connect / Disconnect data
  std::string address;     // Connect events from a NetWorker: "ip:port"
};

struct HostConfig {
  std::string bind_host;       // "" = client host (no bind)
  std::uint16_t port = 0;      // 0 with bind_host set = ephemeral port
  std::size_t max_peers = 64;  // <= 4095
  std::size_t connections_per_ip = 4095;
  std::size_t max_packet_bytes = 16384;
  std::size_t max_waiting_bytes = 256 * 1024;
  std::uint32_t peer_timeout_ms = 30000;  // ENet's own default: its retransmit backoff needs it at 10 % loss
  bool compress = false;                  // ENet range coder (both ends must agree)
  // Kernel socket buffers. ENet asks for 256 KiB, about 40 ms of traffic for
  // 2,000 clients: a network thread that loses its core that long drops
  // datagrams (handshakes time out, snapshots go missing). The kernel caps
  // these at net.core.rmem_max / wmem_max.
  int socket_buffer_bytes = 4 * 1024 * 1024;
};

struct HostTotals {
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t datagrams_sent = 0;
  std::uint64_t datagrams_received = 0;
  std::uint64_t malformed_datagrams = 0;  // failed plausible_enet_datagram
};

struct PeerInfo {
  std::uint32_t rtt_ms = 0;       // ENet's smoothed round trip time
  std::uint32_t last_rtt_ms = 0;  // most recent sample
  std::uint32_t packet_loss = 0;  // ENet's reliable loss estimate, 0..65536
  std::string address;            // "ip:port"
  std::uint32_t ip = 0;           // IPv4, network byte order
};

class NetHost {
 public:
  static core::Result<std::unique_ptr<NetHost>, std::string> create(const HostConfig& cfg);
  ~NetHost();
  NetHost(const NetHost&) = delete;
  NetHost& operator=(const NetHost&) = delete;

  /// Starts a connection; the Connect event arrives from service().
  core::Result<PeerRef, std::string> connect(const Endpoint& to, std::uint64_t user_data);

  /// Waits up to timeout_ms for one event (0 = poll). Returns false when
  /// there is none. Also sends queued packets (ENet semantics).
  bool service(NetEvent& ev, std::uint32_t timeout_ms);
  /// Sends everything queued now.
  void flush();

  /// Queues one packet. False if the ref is stale or ENet refused it.
  bool send(PeerRef ref, std::uint8_t channel, std::span<const std::uint8_t> bytes, Delivery delivery);
  /// Graceful disconnect after queued packets are sent; Disconnect event follows.
  void disconnect_later(PeerRef ref, std::uint32_t data);
  /// Immediate disconnect (one notice, no event).
  void disconnect_now(PeerRef ref, std::uint32_t data);

  void set_user_data(PeerRef ref, std::uint64_t data);
  bool alive(PeerRef ref) const;
  PeerInfo peer_info(PeerRef ref) const;
  /// ENet's smoothed round-trip time (ms) of every connected peer, into `out` (cleared first).
  void connected_rtts(std::vector<std::uint32_t>& out) const;

  /// Cumulative totals (ENet's 32-bit counters folded into 64 bits).
  const HostTotals& totals();
  std::uint16_t port() const;
  std::size_t connected_peers() const;

 private:
  NetHost(_ENetHost* host, std::uint32_t peer_timeout_ms) : host_(host), peer_timeout_ms_(peer_timeout_ms) {}
  static int intercept(_ENetHost* host, _ENetEvent* event);
  void configure_peer(_ENetPeer* p) const;
  void fold_counters();

  _ENetHost* host_;
  std::uint32_t peer_timeout_ms_;
  HostTotals totals_;
};

}  // namespace qbot::net
