#include "enet_wire.h"

// Only for the compile-time checks below: the wire layout this file writes
// by hand must be the one libenet 1.3.17 reads. Nothing of ENet is linked.
#include <enet/protocol.h>

#include <cstddef>

namespace qbot::attack::wire {
namespace {

// Offsets of the fields we write, as named in <enet/protocol.h>.
constexpr std::size_t kConnectSize = 48, kVerifyConnectSize = 44, kAcknowledgeSize = 8, kDisconnectSize = 8,
                      kPingSize = 4, kSendReliableSize = 6, kSendUnreliableSize = 8, kSendFragmentSize = 24,
                      kSendUnsequencedSize = 8, kBandwidthLimitSize = 12, kThrottleConfigureSize = 16;
static_assert(sizeof(ENetProtocolHeader) == 4 && sizeof(ENetProtocolCommandHeader) == 4);
static_assert(sizeof(ENetProtocolConnect) == kConnectSize && offsetof(ENetProtocolConnect, outgoingPeerID) == 4 &&
              offsetof(ENetProtocolConnect, mtu) == 8 && offsetof(ENetProtocolConnect, connectID) == 40 &&
              offsetof(ENetProtocolConnect, data) == 44);
static_assert(sizeof(ENetProtocolVerifyConnect) == kVerifyConnectSize &&
              offsetof(ENetProtocolVerifyConnect, incomingSessionID) == 6 &&
              offsetof(ENetProtocolVerifyConnect, connectID) == 40);
static_assert(sizeof(ENetProtocolAcknowledge) == kAcknowledgeSize &&
              offsetof(ENetProtocolAcknowledge, receivedSentTime) == 6);
static_assert(sizeof(ENetProtocolDisconnect) == kDisconnectSize && sizeof(ENetProtocolPing) == kPingSize);
static_assert(sizeof(ENetProtocolSendReliable) == kSendReliableSize &&
              sizeof(ENetProtocolSendUnreliable) == kSendUnreliableSize &&
              sizeof(ENetProtocolSendUnsequenced) == kSendUnsequencedSize);
static_assert(sizeof(ENetProtocolSendFragment) == kSendFragmentSize &&
              offsetof(ENetProtocolSendFragment, dataLength) == 6 &&
              offsetof(ENetProtocolSendFragment, fragmentCount) == 8 &&
              offsetof(ENetProtocolSendFragment, fragmentOffset) == 20);
static_assert(sizeof(ENetProtocolBandwidthLimit) == kBandwidthLimitSize &&
              sizeof(ENetProtocolThrottleConfigure) == kThrottleConfigureSize);
constexpr int as_int(int v) { return v; }
static_assert(as_int(kAcknowledge) == ENET_PROTOCOL_COMMAND_ACKNOWLEDGE &&
              as_int(kConnect) == ENET_PROTOCOL_COMMAND_CONNECT &&
              as_int(kVerifyConnect) == ENET_PROTOCOL_COMMAND_VERIFY_CONNECT &&
              as_int(kDisconnect) == ENET_PROTOCOL_COMMAND_DISCONNECT && as_int(kPing) == ENET_PROTOCOL_COMMAND_PING &&
              as_int(kSendReliable) == ENET_PROTOCOL_COMMAND_SEND_RELIABLE &&
              as_int(kSendUnreliable) == ENET_PROTOCOL_COMMAND_SEND_UNRELIABLE &&
              as_int(kSendFragment) == ENET_PROTOCOL_COMMAND_SEND_FRAGMENT &&
              as_int(kSendUnsequenced) == ENET_PROTOCOL_COMMAND_SEND_UNSEQUENCED &&
              as_int(kBandwidthLimit) == ENET_PROTOCOL_COMMAND_BANDWIDTH_LIMIT &&
              as_int(kThrottleConfigure) == ENET_PROTOCOL_COMMAND_THROTTLE_CONFIGURE &&
              as_int(kSendUnreliableFragment) == ENET_PROTOCOL_COMMAND_SEND_UNRELIABLE_FRAGMENT &&
              as_int(kCommandCount) == ENET_PROTOCOL_COMMAND_COUNT);
static_assert(kFlagAcknowledge == ENET_PROTOCOL_COMMAND_FLAG_ACKNOWLEDGE &&
              kHeaderSentTime == ENET_PROTOCOL_HEADER_FLAG_SENT_TIME &&
              kHeaderSessionMask == ENET_PROTOCOL_HEADER_SESSION_MASK &&
              kHeaderSessionShift == ENET_PROTOCOL_HEADER_SESSION_SHIFT && kNoPeer == ENET_PROTOCOL_MAXIMUM_PEER_ID &&
              kMaxDatagram == ENET_PROTOCOL_MAXIMUM_MTU && kMaxFragmentCount == ENET_PROTOCOL_MAXIMUM_FRAGMENT_COUNT);

constexpr std::size_t kSizes[kCommandCount] = {0,
                                               kAcknowledgeSize,
                                               kConnectSize,
                                               kVerifyConnectSize,
                                               kDisconnectSize,
                                               kPingSize,
                                               kSendReliableSize,
                                               kSendUnreliableSize,
                                               kSendFragmentSize,
                                               kSendUnsequencedSize,
                                               kBandwidthLimitSize,
                                               kThrottleConfigureSize,
                                               kSendFragmentSize};

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

/// Where a SEND_* command keeps its dataLength, 0 for commands without payload.
std::size_t data_length_offset(std::uint8_t command) {
  switch (command) {
    case kSendReliable: return 4;
    case kSendUnreliable:
    case kSendUnsequenced:
    case kSendFragment:
    case kSendUnreliableFragment: return 6;
    default: return 0;
  }
}

}  // namespace

std::size_t command_size(std::uint8_t command) {
  const std::uint8_t c = command & kCommandMask;
  return c < kCommandCount ? kSizes[c] : 0;
}

DatagramWriter::DatagramWriter(std::uint16_t peer_id, std::uint8_t session, std::optional<std::uint16_t> sent_time) {
  bytes_.reserve(1400);
  std::uint16_t field = static_cast<std::uint16_t>((peer_id & 0x0FFF) | ((session & 3u) << kHeaderSessionShift));
  if (sent_time) field |= kHeaderSentTime;
  put16(field);
  if (sent_time) put16(*sent_time);
}

void DatagramWriter::put16(std::uint16_t v) {
  bytes_.push_back(static_cast<std::uint8_t>(v >> 8));
  bytes_.push_back(static_cast<std::uint8_t>(v));
}

void DatagramWriter::put32(std::uint32_t v) {
  put16(static_cast<std::uint16_t>(v >> 16));
  put16(static_cast<std::uint16_t>(v));
}

bool DatagramWriter::begin(std::uint8_t command, std::uint8_t flags, std::uint8_t channel, std::uint16_t sequence,
                           std::size_t payload) {
  if (!room_for(kSizes[command] + payload)) return false;
  bytes_.push_back(static_cast<std::uint8_t>(command | flags));
  bytes_.push_back(channel);
  put16(sequence);
  commands_ += 1;
  return true;
}

bool DatagramWriter::connect(std::uint16_t sequence, const ConnectFields& f) {
  if (!begin(kConnect, kFlagAcknowledge, kSystemChannel, sequence, 0)) return false;
  put16(f.outgoing_peer_id);
  bytes_.push_back(f.incoming_session);
  bytes_.push_back(f.outgoing_session);
  for (std::uint32_t v :
       {f.mtu, f.window_size, f.channel_count, f.incoming_bandwidth, f.outgoing_bandwidth, f.throttle_interval,
        f.throttle_acceleration, f.throttle_deceleration, f.connect_id, f.data}) {
    put32(v);
  }
  return true;
}

bool DatagramWriter::acknowledge(std::uint8_t channel, std::uint16_t sequence, std::uint16_t received_sent_time) {
  if (!begin(kAcknowledge, 0, channel, sequence, 0)) return false;
  put16(sequence);
  put16(received_sent_time);
  return true;
}

bool DatagramWriter::ping(std::uint16_t sequence) {
  return begin(kPing, kFlagAcknowledge, kSystemChannel, sequence, 0);
}

bool DatagramWriter::bandwidth_limit(std::uint16_t sequence, std::uint32_t incoming, std::uint32_t outgoing) {
  if (!begin(kBandwidthLimit, kFlagAcknowledge, kSystemChannel, sequence, 0)) return false;
  put32(incoming);
  put32(outgoing);
  return true;
}

bool DatagramWriter::throttle_configure(std::uint16_t sequence, std::uint32_t interval, std::uint32_t acceleration,
                                        std::uint32_t deceleration) {
  if (!begin(kThrottleConfigure, kFlagAcknowledge, kSystemChannel, sequence, 0)) return false;
  put32(interval);
  put32(acceleration);
  put32(deceleration);
  return true;
}

bool DatagramWriter::send_reliable(std::uint8_t channel, std::uint16_t sequence,
                                   std::span<const std::uint8_t> payload) {
  if (payload.size() > 0xFFFF || !begin(kSendReliable, kFlagAcknowledge, channel, sequence, payload.size())) {
    return false;
  }
  put16(static_cast<std::uint16_t>(payload.size()));
  bytes_.insert(bytes_.end(), payload.begin(), payload.end());
  return true;
}

bool DatagramWriter::send_fragment(std::uint8_t channel, std::uint16_t sequence, const FragmentFields& f,
                                   std::span<const std::uint8_t> data) {
  if (data.size() > 0xFFFF || !begin(kSendFragment, kFlagAcknowledge, channel, sequence, data.size())) return false;
  put16(f.start_sequence);
  put16(static_cast<std::uint16_t>(data.size()));
  put32(f.fragment_count);
  put32(f.fragment_number);
  put32(f.total_length);
  put32(f.fragment_offset);
  bytes_.insert(bytes_.end(), data.begin(), data.end());
  return true;
}

bool DatagramWriter::disconnect(std::optional<std::uint16_t> sequence, std::uint32_t data) {
  const std::uint8_t flags = sequence ? kFlagAcknowledge : 0;
  if (!begin(kDisconnect, flags, kSystemChannel, sequence.value_or(0), 0)) return false;
  put32(data);
  return true;
}

core::Result<ReceivedDatagram, std::string> parse_datagram(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 2) return core::Err{std::string("datagram of ") + std::to_string(bytes.size()) + " bytes"};
  ReceivedDatagram d;
  const std::uint16_t field = be16(bytes.data());
  if (field & kHeaderCompressed) return core::Err{std::string("compressed datagram (not supported)")};
  d.peer_id = field & 0x0FFF;
  d.session = static_cast<std::uint8_t>((field & kHeaderSessionMask) >> kHeaderSessionShift);
  std::size_t pos = 2;
  if (field & kHeaderSentTime) {
    if (bytes.size() < 4) return core::Err{std::string("header cut short at the sent time")};
    d.sent_time = be16(bytes.data() + 2);
    pos = 4;
  }
  while (pos < bytes.size()) {
    if (d.commands.size() >= 256) return core::Err{std::string("more than 256 commands")};
    const std::uint8_t* p = bytes.data() + pos;
    const std::uint8_t c = p[0] & kCommandMask;
    const std::size_t fixed = command_size(c);
    if (fixed == 0) return core::Err{"unknown command " + std::to_string(c) + " at offset " + std::to_string(pos)};
    if (bytes.size() - pos < fixed) return core::Err{"command cut short at offset " + std::to_string(pos)};
    const std::size_t len_at = data_length_offset(c);
    const std::size_t payload = len_at == 0 ? 0 : be16(p + len_at);
    if (bytes.size() - pos - fixed < payload) return core::Err{"payload past the end at offset " + std::to_string(pos)};
    d.commands.push_back(ReceivedCommand{c, (p[0] & kFlagAcknowledge) != 0, p[1], be16(p + 2),
                                         bytes.subspan(pos, fixed), bytes.subspan(pos + fixed, payload)});
    pos += fixed + payload;
  }
  return d;
}

std::optional<VerifyConnect> read_verify_connect(const ReceivedCommand& c) {
  if (c.command != kVerifyConnect || c.fixed.size() != kVerifyConnectSize) return std::nullopt;
  return VerifyConnect{be16(c.fixed.data() + 4), c.fixed[6], c.fixed[7], be32(c.fixed.data() + 40)};
}

std::optional<std::uint32_t> read_disconnect_data(const ReceivedCommand& c) {
  if (c.command != kDisconnect || c.fixed.size() != kDisconnectSize) return std::nullopt;
  return be32(c.fixed.data() + 4);
}

}  // namespace qbot::attack::wire
