#include "net/datagram_check.h"

#include <enet/enet.h>

#include <cstddef>

namespace qbot::net {
namespace {

static_assert(offsetof(ENetProtocolConnect, connectID) == kConnectIdOffset);
static_assert(offsetof(ENetProtocolConnect, data) == kConnectDataOffset);
static_assert(offsetof(ENetProtocolConnect, channelCount) == kConnectChannelCountOffset);
static_assert(offsetof(ENetProtocolSendFragment, startSequenceNumber) == kFragmentStartSequenceOffset);
static_assert(offsetof(ENetProtocolSendFragment, fragmentCount) == kFragmentCountOffset);
static_assert(offsetof(ENetProtocolSendFragment, fragmentNumber) == kFragmentNumberOffset);
static_assert(offsetof(ENetProtocolSendFragment, totalLength) == kFragmentTotalLengthOffset);
static_assert(offsetof(ENetProtocolSendFragment, fragmentOffset) == kFragmentOffsetOffset);
static_assert(static_cast<int>(EnetCommand::SendUnreliableFragment) == ENET_PROTOCOL_COMMAND_SEND_UNRELIABLE_FRAGMENT);
static_assert(kNoPeerId == ENET_PROTOCOL_MAXIMUM_PEER_ID);

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

// Fixed size of each command, as in ENet 1.3.17 protocol.c (commandSizes).
constexpr std::size_t kCommandSizes[ENET_PROTOCOL_COMMAND_COUNT] = {
    0,
    sizeof(ENetProtocolAcknowledge),
    sizeof(ENetProtocolConnect),
    sizeof(ENetProtocolVerifyConnect),
    sizeof(ENetProtocolDisconnect),
    sizeof(ENetProtocolPing),
    sizeof(ENetProtocolSendReliable),
    sizeof(ENetProtocolSendUnreliable),
    sizeof(ENetProtocolSendFragment),
    sizeof(ENetProtocolSendUnsequenced),
    sizeof(ENetProtocolBandwidthLimit),
    sizeof(ENetProtocolThrottleConfigure),
    sizeof(ENetProtocolSendFragment),
};

/// Payload bytes that follow a command's fixed part (the dataLength field).
std::size_t payload_length(std::uint8_t command, const std::uint8_t* cmd) {
  switch (command) {
    case ENET_PROTOCOL_COMMAND_SEND_RELIABLE: return be16(cmd + offsetof(ENetProtocolSendReliable, dataLength));
    case ENET_PROTOCOL_COMMAND_SEND_UNRELIABLE: return be16(cmd + offsetof(ENetProtocolSendUnreliable, dataLength));
    case ENET_PROTOCOL_COMMAND_SEND_UNSEQUENCED: return be16(cmd + offsetof(ENetProtocolSendUnsequenced, dataLength));
    case ENET_PROTOCOL_COMMAND_SEND_FRAGMENT:
    case ENET_PROTOCOL_COMMAND_SEND_UNRELIABLE_FRAGMENT:
      return be16(cmd + offsetof(ENetProtocolSendFragment, dataLength));
    default: return 0;
  }
}

}  // namespace

std::uint16_t EnetCommandView::u16(std::size_t offset) const {
  return offset + 2 <= body.size() ? be16(body.data() + offset) : 0;
}

std::uint32_t EnetCommandView::u32(std::size_t offset) const {
  if (offset + 4 > body.size()) return 0;
  const std::uint8_t* p = body.data() + offset;
  return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
         (static_cast<std::uint32_t>(p[2]) << 8) | p[3];
}

std::optional<DatagramHeader> parse_datagram_header(std::span<const std::uint8_t> d) {
  if (d.size() < 2) return std::nullopt;
  const std::uint16_t field = be16(d.data());
  DatagramHeader h;
  h.size = (field & ENET_PROTOCOL_HEADER_FLAG_SENT_TIME) ? 4 : 2;
  if (d.size() < h.size) return std::nullopt;
  h.compressed = (field & ENET_PROTOCOL_HEADER_FLAG_COMPRESSED) != 0;
  h.session =
      static_cast<std::uint8_t>((field & ENET_PROTOCOL_HEADER_SESSION_MASK) >> ENET_PROTOCOL_HEADER_SESSION_SHIFT);
  h.peer_id = static_cast<std::uint16_t>(
      field & static_cast<std::uint16_t>(~(ENET_PROTOCOL_HEADER_FLAG_MASK | ENET_PROTOCOL_HEADER_SESSION_MASK)));
  return h;
}

EnetCommandIterator::EnetCommandIterator(std::span<const std::uint8_t> datagram, const DatagramHeader& header)
    : d_(datagram), pos_(header.size), no_peer_(header.peer_id == kNoPeerId) {}

bool EnetCommandIterator::next(EnetCommandView& out) {
  if (malformed_ || pos_ >= d_.size()) return false;
  const std::size_t left = d_.size() - pos_;
  const std::uint8_t* at = d_.data() + pos_;
  const std::uint8_t number = at[0] & ENET_PROTOCOL_COMMAND_MASK;
  // Without a peer (id 0xFFF) ENet only accepts a connection request.
  const bool refused = number == ENET_PROTOCOL_COMMAND_NONE || number >= ENET_PROTOCOL_COMMAND_COUNT ||
                       (no_peer_ && number != ENET_PROTOCOL_COMMAND_CONNECT);
  if (left < sizeof(ENetProtocolCommandHeader) || refused || left < kCommandSizes[number]) {
    malformed_ = true;
    return false;
  }
  const std::size_t fixed = kCommandSizes[number];
  const std::size_t payload = payload_length(number, at);
  if (left - fixed < payload) {
    malformed_ = true;
    return false;
  }
  out.command = static_cast<EnetCommand>(number);
  out.acknowledge = (at[0] & ENET_PROTOCOL_COMMAND_FLAG_ACKNOWLEDGE) != 0;
  out.channel = at[1];
  out.reliable_sequence = be16(at + 2);
  out.body = d_.subspan(pos_, fixed);
  out.payload = d_.subspan(pos_ + fixed, payload);
  pos_ += fixed + payload;
  return true;
}

bool plausible_enet_datagram(std::span<const std::uint8_t> d, std::size_t peer_count, bool compression) {
  const auto header = parse_datagram_header(d);
  if (!header) return false;
  if (header->peer_id != kNoPeerId && header->peer_id >= peer_count) return false;
  if (header->compressed) return compression && d.size() > header->size;
  if (d.size() == header->size) return false;  // a datagram carries at least one command
  EnetCommandIterator it(d, *header);
  EnetCommandView cmd;
  while (it.next(cmd)) {
  }
  return !it.malformed();
}

}  // namespace qbot::net
