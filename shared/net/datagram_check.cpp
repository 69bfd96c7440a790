#include "net/datagram_check.h"

#include <enet/enet.h>

namespace qbot::net {
namespace {

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

bool plausible_enet_datagram(std::span<const std::uint8_t> d, std::size_t peer_count, bool compression) {
  if (d.size() < 2) return false;
  const std::uint16_t peer_field = be16(d.data());
  const std::size_t header_size = (peer_field & ENET_PROTOCOL_HEADER_FLAG_SENT_TIME) ? 4 : 2;
  if (d.size() < header_size) return false;
  const std::size_t peer_id =
      peer_field & static_cast<std::uint16_t>(~(ENET_PROTOCOL_HEADER_FLAG_MASK | ENET_PROTOCOL_HEADER_SESSION_MASK));
  if (peer_id != ENET_PROTOCOL_MAXIMUM_PEER_ID && peer_id >= peer_count) return false;
  if (peer_field & ENET_PROTOCOL_HEADER_FLAG_COMPRESSED) return compression && d.size() > header_size;

  std::size_t pos = header_size;
  if (pos == d.size()) return false;  // a datagram carries at least one command
  while (pos < d.size()) {
    if (d.size() - pos < sizeof(ENetProtocolCommandHeader)) return false;
    const std::uint8_t command = d[pos] & ENET_PROTOCOL_COMMAND_MASK;
    if (command == ENET_PROTOCOL_COMMAND_NONE || command >= ENET_PROTOCOL_COMMAND_COUNT) return false;
    // Without a peer (id 0xFFF) ENet only accepts a connection request.
    if (peer_id == ENET_PROTOCOL_MAXIMUM_PEER_ID && command != ENET_PROTOCOL_COMMAND_CONNECT) return false;
    const std::size_t fixed = kCommandSizes[command];
    if (d.size() - pos < fixed) return false;
    const std::size_t payload = payload_length(command, d.data() + pos);
    if (d.size() - pos - fixed < payload) return false;
    pos += fixed + payload;
  }
  return true;
}

}  // namespace qbot::net
