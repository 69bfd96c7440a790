#pragma once
// A minimal ENet 1.3 client written from the wire format (enet_wire.h), on
// its own UdpSocket: what an attacker needs and libenet's API does not give
// (a CONNECT that is never completed, crafted commands, a peer that keeps
// reading but stops answering), and enough of a client to be welcomed: the
// handshake, reliable sends with per-channel sequence numbers, and
// acknowledgements of everything reliable the server sends. It does not
// retransmit (loopback does not lose datagrams unless a socket buffer
// overflows) and does not reassemble fragments (it counts them).
#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "enet_wire.h"
#include "loopback.h"
#include "udp_socket.h"

namespace qbot::attack {

/// A packet the server sent on channel 0 or 1.
struct Delivered {
  std::uint8_t channel = 0;
  bool reliable = false;
  std::vector<std::uint8_t> bytes;
};

/// What a RawPeer saw, beyond the socket's byte counts.
struct PeerCounts {
  std::uint64_t reliable_packets = 0;
  std::uint64_t unreliable_packets = 0;
  std::uint64_t fragments = 0;
  std::uint64_t acknowledgements = 0;  // ACKs of our commands
  std::uint64_t pings = 0;
  std::uint64_t unparsable = 0;  // datagrams parse_datagram refused
  std::uint64_t acks_sent = 0;
};

class RawPeer {
 public:
  using Clock = std::chrono::steady_clock;
  RawPeer(UdpSocket socket, Target server, std::uint32_t connect_id);

  /// Only the CONNECT, with the connect `data`: a half-open connection
  /// unless the caller goes on to acknowledge the VERIFY_CONNECT.
  bool send_connect(std::uint32_t data);
  /// The whole handshake: CONNECT, then wait up to `timeout` for the
  /// VERIFY_CONNECT and acknowledge it. False when none came in time or
  /// the server refused (a DISCONNECT).
  bool connect(std::chrono::milliseconds timeout, std::uint32_t data = 0);

  /// One SEND_RELIABLE on channel 0 or 1, in its own datagram.
  bool send_reliable(std::uint8_t channel, std::span<const std::uint8_t> payload);
  /// The next reliable sequence number of a channel (0, 1 or the system
  /// channel 0xFF), as ENet numbers them: 1, 2, ... per channel.
  std::uint16_t next_sequence(std::uint8_t channel) { return reserve_sequences(channel, 1); }
  /// `count` consecutive sequence numbers of a channel; the first.
  std::uint16_t reserve_sequences(std::uint8_t channel, std::uint16_t count);
  /// An empty datagram addressed as this peer (our id and session at the
  /// server) with a sent time, for crafted commands; send it with send().
  wire::DatagramWriter datagram() const;
  bool send(const wire::DatagramWriter& d);
  /// A reliable DISCONNECT with `data` (1 = quit); nothing is awaited.
  void disconnect(std::uint32_t data);

  /// Waits up to `timeout` for a datagram, then takes every datagram that
  /// is already there; acknowledges their reliable commands (unless
  /// acknowledging is off) and returns the packets for channels 0 and 1.
  std::vector<Delivered> poll(std::chrono::milliseconds timeout);
  /// Off: the peer goes on reading (and counting) but answers nothing, as a
  /// client looks to the server when it stops servicing its host.
  void set_acknowledging(bool on) { acknowledging_ = on; }

  bool connected() const { return connected_; }
  bool disconnected() const { return disconnected_; }
  std::uint32_t disconnect_data() const { return disconnect_data_; }
  Clock::time_point last_receive() const { return last_receive_; }
  const Traffic& traffic() const { return socket_.traffic(); }
  const PeerCounts& counts() const { return counts_; }
  UdpSocket& socket() { return socket_; }
  const Target& server() const { return server_; }

 private:
  void handle(std::span<const std::uint8_t> bytes, std::vector<Delivered>& out, wire::DatagramWriter& acks);
  void handle_command(const wire::ReceivedCommand& c, std::vector<Delivered>& out);
  void flush_acks(wire::DatagramWriter& acks);
  std::uint16_t sent_time() const;

  UdpSocket socket_;
  Target server_;
  std::uint32_t connect_id_;
  Clock::time_point epoch_ = Clock::now();
  Clock::time_point last_receive_{};
  std::uint16_t peer_id_ = wire::kNoPeer;  // ours at the server, from VERIFY_CONNECT
  std::uint8_t session_ = 0;
  std::array<std::uint16_t, 3> next_sequence_{1, 1, 1};  // channels 0, 1, system
  std::array<std::uint16_t, 2> delivered_up_to_{0, 0};   // newest reliable sequence delivered per channel
  bool connected_ = false;
  bool disconnected_ = false;
  bool acknowledging_ = true;
  std::uint32_t disconnect_data_ = 0;
  PeerCounts counts_;
  std::array<std::uint8_t, wire::kMaxDatagram> buffer_{};
};

}  // namespace qbot::attack
