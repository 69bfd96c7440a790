#pragma once
// ENet 1.3's datagram format, written and read byte by byte (the layout of
// <enet/protocol.h>; enet_wire.cpp checks every size and offset against that
// header at compile time). Big-endian fields; a datagram is a 2-byte header
// (peer id | session << 12 | flags), an optional 2-byte sent time, then
// commands, each a 4-byte command header (command | flags, channel,
// reliable sequence number) and its fixed fields, then payload bytes for the
// SEND_* commands. No checksum, no compression (our server uses neither).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace qbot::attack::wire {

enum Command : std::uint8_t {
  kAcknowledge = 1,
  kConnect = 2,
  kVerifyConnect = 3,
  kDisconnect = 4,
  kPing = 5,
  kSendReliable = 6,
  kSendUnreliable = 7,
  kSendFragment = 8,
  kSendUnsequenced = 9,
  kBandwidthLimit = 10,
  kThrottleConfigure = 11,
  kSendUnreliableFragment = 12,
  kCommandCount = 13,
};
constexpr std::uint8_t kCommandMask = 0x0F;
constexpr std::uint8_t kFlagAcknowledge = 0x80;  // the receiver must acknowledge (a reliable command)
constexpr std::uint16_t kHeaderSentTime = 0x8000;
constexpr std::uint16_t kHeaderCompressed = 0x4000;
constexpr std::uint16_t kHeaderSessionMask = 0x3000;
constexpr unsigned kHeaderSessionShift = 12;
constexpr std::uint16_t kNoPeer = 0xFFF;       // peer id of a CONNECT (and of a peer that names no slot)
constexpr std::uint8_t kSystemChannel = 0xFF;  // connect, verify, ping, bandwidth and throttle commands
constexpr std::size_t kMaxDatagram = 4096;     // ENET_PROTOCOL_MAXIMUM_MTU: ENet's receive buffer
constexpr std::uint32_t kMaxFragmentCount = 1024 * 1024;
constexpr std::uint32_t kReliableWindowSize = 0x1000;  // ENET_PEER_RELIABLE_WINDOW_SIZE
constexpr std::uint32_t kFreeReliableWindows = 8;      // ENET_PEER_FREE_RELIABLE_WINDOWS

/// Fixed size of each command (command header included), 0 for none.
std::size_t command_size(std::uint8_t command);

/// The fields of a CONNECT, defaulted as enet_host_connect fills them.
struct ConnectFields {
  std::uint16_t outgoing_peer_id = 0;  // the sender's own slot; kNoPeer makes ENet skip session checks
  std::uint8_t incoming_session = 0xFF;
  std::uint8_t outgoing_session = 0xFF;
  std::uint32_t mtu = 1400;
  std::uint32_t window_size = 65536;
  std::uint32_t channel_count = 2;
  std::uint32_t incoming_bandwidth = 0;
  std::uint32_t outgoing_bandwidth = 0;
  std::uint32_t throttle_interval = 5000;
  std::uint32_t throttle_acceleration = 2;
  std::uint32_t throttle_deceleration = 2;
  std::uint32_t connect_id = 0;
  std::uint32_t data = 0;  // the connect data the application sees
};

/// One SEND_FRAGMENT's fields (reliable fragments of one packet).
struct FragmentFields {
  std::uint16_t start_sequence = 0;  // reliable sequence number of the set's first fragment
  std::uint32_t fragment_count = 0;
  std::uint32_t fragment_number = 0;
  std::uint32_t total_length = 0;
  std::uint32_t fragment_offset = 0;
};

/// Builds one datagram. Bounded: a command that would not fit kMaxDatagram
/// is refused (the add returns false and the datagram is unchanged).
class DatagramWriter {
 public:
  /// `sent_time` present: the 4-byte header ENet uses when the datagram
  /// carries a command to acknowledge.
  DatagramWriter(std::uint16_t peer_id, std::uint8_t session, std::optional<std::uint16_t> sent_time);

  bool connect(std::uint16_t sequence, const ConnectFields& f);
  bool acknowledge(std::uint8_t channel, std::uint16_t sequence, std::uint16_t received_sent_time);
  bool ping(std::uint16_t sequence);
  bool bandwidth_limit(std::uint16_t sequence, std::uint32_t incoming, std::uint32_t outgoing);
  bool throttle_configure(std::uint16_t sequence, std::uint32_t interval, std::uint32_t acceleration,
                          std::uint32_t deceleration);
  bool send_reliable(std::uint8_t channel, std::uint16_t sequence, std::span<const std::uint8_t> payload);
  bool send_fragment(std::uint8_t channel, std::uint16_t sequence, const FragmentFields& f,
                     std::span<const std::uint8_t> data);
  /// Reliable (acknowledged) when `sequence` is set, as enet_peer_disconnect
  /// sends it; unreliable otherwise (enet_peer_disconnect_now).
  bool disconnect(std::optional<std::uint16_t> sequence, std::uint32_t data);

  std::size_t commands() const { return commands_; }
  std::size_t size() const { return bytes_.size(); }
  bool room_for(std::size_t command_bytes) const { return bytes_.size() + command_bytes <= kMaxDatagram; }
  std::span<const std::uint8_t> bytes() const { return bytes_; }

 private:
  bool begin(std::uint8_t command, std::uint8_t flags, std::uint8_t channel, std::uint16_t sequence,
             std::size_t payload);
  void put16(std::uint16_t v);
  void put32(std::uint32_t v);

  std::vector<std::uint8_t> bytes_;
  std::size_t commands_ = 0;
};

/// One command of a received datagram; spans point into the datagram.
struct ReceivedCommand {
  std::uint8_t command = 0;  // masked
  bool acknowledge = false;  // the sender wants an ACK
  std::uint8_t channel = 0;
  std::uint16_t sequence = 0;
  std::span<const std::uint8_t> fixed;    // the whole fixed part, command header included
  std::span<const std::uint8_t> payload;  // SEND_* data, else empty
};

struct ReceivedDatagram {
  std::uint16_t peer_id = 0;
  std::uint8_t session = 0;
  std::optional<std::uint16_t> sent_time;
  std::vector<ReceivedCommand> commands;
};

/// Parses a datagram as ENet does, but refuses instead of stopping early:
/// an error names the offset and what is wrong (compressed, truncated,
/// unknown command, payload past the end). At most 256 commands.
core::Result<ReceivedDatagram, std::string> parse_datagram(std::span<const std::uint8_t> bytes);

/// Fields of a VERIFY_CONNECT the client needs.
struct VerifyConnect {
  std::uint16_t outgoing_peer_id = 0;  // our peer id at the server
  std::uint8_t incoming_session = 0;
  std::uint8_t outgoing_session = 0;
  std::uint32_t connect_id = 0;
};
std::optional<VerifyConnect> read_verify_connect(const ReceivedCommand& c);
/// The data of a DISCONNECT (the server's reason), nullopt for other commands.
std::optional<std::uint32_t> read_disconnect_data(const ReceivedCommand& c);

}  // namespace qbot::attack::wire
