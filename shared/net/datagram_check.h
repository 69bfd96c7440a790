#pragma once
// Reading raw ENet 1.3 datagrams before ENet does, from the intercept hook:
// the header, then each command with its fixed part and payload, every read
// bounds-checked. Nothing here trusts a length field: an iterator that meets
// a command that does not fit stops and reports the datagram as malformed.
// Field offsets and sizes are those of <enet/protocol.h> (ENet 1.3.17).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace qbot::net {

/// ENet's command numbers (ENetProtocolCommand), without the flag bits.
enum class EnetCommand : std::uint8_t {
  None = 0,
  Acknowledge = 1,
  Connect = 2,
  VerifyConnect = 3,
  Disconnect = 4,
  Ping = 5,
  SendReliable = 6,
  SendUnreliable = 7,
  SendFragment = 8,
  SendUnsequenced = 9,
  BandwidthLimit = 10,
  ThrottleConfigure = 11,
  SendUnreliableFragment = 12,
};

/// Peer id of a datagram that belongs to no peer yet (a CONNECT).
constexpr std::uint16_t kNoPeerId = 0xFFF;
/// The channel id ENet puts on commands that belong to no channel.
constexpr std::uint8_t kNoChannel = 0xFF;

struct DatagramHeader {
  std::uint16_t peer_id = 0;  // 0..0xFFF; kNoPeerId = no peer
  std::uint8_t session = 0;   // 0..3
  bool compressed = false;    // the commands are range-coded
  std::size_t size = 2;       // 2, or 4 with the sent-time field
};

/// The header of `datagram`; nullopt if it is shorter than its header.
std::optional<DatagramHeader> parse_datagram_header(std::span<const std::uint8_t> datagram);

/// One command of a datagram. `body` is its fixed part (header included),
/// `payload` the data bytes that follow it (send commands only).
struct EnetCommandView {
  EnetCommand command = EnetCommand::None;
  bool acknowledge = false;  // ENET_PROTOCOL_COMMAND_FLAG_ACKNOWLEDGE
  std::uint8_t channel = 0;
  std::uint16_t reliable_sequence = 0;
  std::span<const std::uint8_t> body;
  std::span<const std::uint8_t> payload;

  /// Big-endian field of the fixed part at `offset` (0 if it does not fit).
  std::uint16_t u16(std::size_t offset) const;
  std::uint32_t u32(std::size_t offset) const;
};

/// Walks the commands of an uncompressed datagram. next() returns false at
/// the end and when the rest does not parse (then malformed() is true): an
/// unknown command number, a fixed part or payload past the end, or (for
/// datagrams to kNoPeerId) anything but a CONNECT, which ENet would ignore.
class EnetCommandIterator {
 public:
  EnetCommandIterator(std::span<const std::uint8_t> datagram, const DatagramHeader& header);
  bool next(EnetCommandView& out);
  bool malformed() const { return malformed_; }

 private:
  std::span<const std::uint8_t> d_;
  std::size_t pos_;
  bool no_peer_;
  bool malformed_ = false;
};

// Offsets into the fixed parts (ENetProtocolConnect / ENetProtocolSendFragment).
constexpr std::size_t kConnectIdOffset = 40;
constexpr std::size_t kConnectDataOffset = 44;
constexpr std::size_t kConnectChannelCountOffset = 16;
constexpr std::size_t kFragmentStartSequenceOffset = 4;
constexpr std::size_t kFragmentCountOffset = 8;
constexpr std::size_t kFragmentNumberOffset = 12;
constexpr std::size_t kFragmentTotalLengthOffset = 16;
constexpr std::size_t kFragmentOffsetOffset = 20;

/// True if the datagram has a well-formed ENet 1.3 header and command list
/// (compressed datagrams are only checked up to the header, and are
/// implausible when the host has no decompressor, as ENet drops them).
bool plausible_enet_datagram(std::span<const std::uint8_t> datagram, std::size_t peer_count, bool compression);

}  // namespace qbot::net
