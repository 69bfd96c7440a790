#include "raw_peer.h"

namespace qbot::attack {
namespace {
std::size_t channel_index(std::uint8_t channel) { return channel == wire::kSystemChannel ? 2 : channel; }
}  // namespace

RawPeer::RawPeer(UdpSocket socket, Target server, std::uint32_t connect_id)
    : socket_(std::move(socket)), server_(server), connect_id_(connect_id) {}

std::uint16_t RawPeer::sent_time() const {
  return static_cast<std::uint16_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - epoch_).count() & 0xFFFF);
}

std::uint16_t RawPeer::reserve_sequences(std::uint8_t channel, std::uint16_t count) {
  const std::size_t i = channel_index(channel);
  if (i >= next_sequence_.size()) return 0;
  const std::uint16_t first = next_sequence_[i];
  next_sequence_[i] = static_cast<std::uint16_t>(first + count);
  return first;
}

wire::DatagramWriter RawPeer::datagram() const { return wire::DatagramWriter(peer_id_, session_, sent_time()); }

bool RawPeer::send(const wire::DatagramWriter& d) { return socket_.send_to(server_, d.bytes()); }

bool RawPeer::send_connect(std::uint32_t data) {
  wire::ConnectFields f;
  f.connect_id = connect_id_;
  f.data = data;
  wire::DatagramWriter d(wire::kNoPeer, 0, sent_time());
  d.connect(next_sequence(wire::kSystemChannel), f);
  return send(d);
}

bool RawPeer::connect(std::chrono::milliseconds timeout, std::uint32_t data) {
  if (!send_connect(data)) return false;
  const auto deadline = Clock::now() + timeout;
  while (!connected_ && !disconnected_ && Clock::now() < deadline) {
    poll(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  }
  return connected_;
}

bool RawPeer::send_reliable(std::uint8_t channel, std::span<const std::uint8_t> payload) {
  auto d = datagram();
  return d.send_reliable(channel, next_sequence(channel), payload) && send(d);
}

void RawPeer::disconnect(std::uint32_t data) {
  auto d = datagram();
  d.disconnect(next_sequence(wire::kSystemChannel), data);
  send(d);
}

std::vector<Delivered> RawPeer::poll(std::chrono::milliseconds timeout) {
  std::vector<Delivered> out;
  wire::DatagramWriter acks(peer_id_, session_, std::nullopt);
  auto first = socket_.receive_from(server_, buffer_, timeout);
  for (auto n = first; n; n = socket_.receive_from(server_, buffer_, std::chrono::milliseconds(0))) {
    last_receive_ = Clock::now();
    handle(std::span<const std::uint8_t>(buffer_.data(), *n), out, acks);
  }
  flush_acks(acks);
  return out;
}

void RawPeer::flush_acks(wire::DatagramWriter& acks) {
  if (acks.commands() == 0) return;
  send(acks);
  acks = wire::DatagramWriter(peer_id_, session_, std::nullopt);
}

void RawPeer::handle(std::span<const std::uint8_t> bytes, std::vector<Delivered>& out, wire::DatagramWriter& acks) {
  auto parsed = wire::parse_datagram(bytes);
  if (!parsed) {
    counts_.unparsable += 1;
    return;
  }
  for (const auto& c : parsed->commands) {
    if (c.command == wire::kVerifyConnect && !connected_) {
      auto v = wire::read_verify_connect(c);
      if (!v || v->connect_id != connect_id_) continue;
      peer_id_ = v->outgoing_peer_id;
      session_ = v->outgoing_session;
      connected_ = true;
      acks = wire::DatagramWriter(peer_id_, session_, std::nullopt);  // addressed with our new id
    }
    handle_command(c, out);
    if (c.acknowledge && acknowledging_ && parsed->sent_time) {
      if (!acks.room_for(wire::command_size(wire::kAcknowledge))) flush_acks(acks);
      acks.acknowledge(c.channel, c.sequence, *parsed->sent_time);
      counts_.acks_sent += 1;
    }
  }
}

void RawPeer::handle_command(const wire::ReceivedCommand& c, std::vector<Delivered>& out) {
  switch (c.command) {
    case wire::kAcknowledge: counts_.acknowledgements += 1; break;
    case wire::kPing: counts_.pings += 1; break;
    case wire::kDisconnect:
      disconnected_ = true;
      connected_ = false;
      disconnect_data_ = wire::read_disconnect_data(c).value_or(0);
      break;
    case wire::kSendFragment:
    case wire::kSendUnreliableFragment: counts_.fragments += 1; break;
    case wire::kSendReliable: {
      if (c.channel >= delivered_up_to_.size()) break;
      // Deliver each sequence number once (a retransmission repeats it).
      if (static_cast<std::int16_t>(c.sequence - delivered_up_to_[c.channel]) <= 0) break;
      delivered_up_to_[c.channel] = c.sequence;
      counts_.reliable_packets += 1;
      out.push_back(Delivered{c.channel, true, {c.payload.begin(), c.payload.end()}});
      break;
    }
    case wire::kSendUnreliable:
    case wire::kSendUnsequenced:
      if (c.channel >= delivered_up_to_.size()) break;
      counts_.unreliable_packets += 1;
      out.push_back(Delivered{c.channel, false, {c.payload.begin(), c.payload.end()}});
      break;
    default: break;
  }
}

}  // namespace qbot::attack
