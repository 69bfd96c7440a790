#include "net/datagram_gate.h"

#include <algorithm>

namespace qbot::net {
namespace {

static_assert(kCookieReplyBytes <= kCookieRequestBytes, "a cookie reply must never be larger than its request");

// The smallest fragment an ENet 1.3 sender makes: the minimum MTU (576) less
// the datagram header (4), the fragment command (24) and a checksum (4).
constexpr std::uint32_t kMinFragmentBytes = 544;
// How far ahead of the last delivered reliable command a sequence number may
// be. ENet queues up to 7 x 4096 ahead per channel, each with its own
// allocation, however small the payload; a legitimate client has a few in flight.
constexpr std::uint16_t kMaxReliableAhead = 256;
constexpr std::uint32_t kSecondMs = 1000;

constexpr const char* kDropNames[] = {"malformed",     "unknown_peer",    "short_request",  "no_cookie",
                                      "bad_cookie",    "pool_full",       "per_ip",         "fragment",
                                      "fragment_sets", "sequence_window", "transport_flood"};
static_assert(std::size(kDropNames) == static_cast<std::size_t>(DropReason::Count));
constexpr const char* kCutNames[] = {"handshake_timeout", "dead", "transport_flood", "evicted"};
static_assert(std::size(kCutNames) == static_cast<std::size_t>(CutReason::Count));

/// ms from `then` to `now` on ENet's 32-bit clock; 0 if `then` is later.
std::uint32_t elapsed(std::uint32_t now, std::uint32_t then) {
  const std::uint32_t d = now - then;
  return d > 0x7FFFFFFFu ? 0 : d;
}

bool too_far_ahead(std::uint16_t sequence, std::uint16_t delivered) {
  const auto ahead = static_cast<std::uint16_t>(sequence - delivered);
  return ahead > kMaxReliableAhead && ahead < 0x8000;  // behind is old: ENet discards it cheaply
}

bool is_fragment(EnetCommand c) { return c == EnetCommand::SendFragment || c == EnetCommand::SendUnreliableFragment; }

bool is_data(EnetCommand c) {
  return c == EnetCommand::SendReliable || c == EnetCommand::SendUnreliable || c == EnetCommand::SendUnsequenced ||
         is_fragment(c);
}

template <class E>
std::size_t index(E e) {
  return static_cast<std::size_t>(e);
}

}  // namespace

const char* drop_reason_name(DropReason r) { return index(r) < std::size(kDropNames) ? kDropNames[index(r)] : "?"; }
const char* cut_reason_name(CutReason r) { return index(r) < std::size(kCutNames) ? kCutNames[index(r)] : "?"; }

DatagramGate::DatagramGate(GateConfig cfg, std::size_t slots, const token::CookieKey& master_key)
    : cfg_(cfg), master_(master_key), slots_(slots) {
  unwelcomed_by_ip_.reserve(cfg_.max_unwelcomed * 2);
}

GateVerdict DatagramGate::drop(DropReason r, std::optional<Cut> cut) {
  counters_.dropped[index(r)] += 1;
  GateVerdict v;
  v.action = GateVerdict::Action::Drop;
  v.reason = r;
  v.cut = cut;
  return v;
}

GateVerdict DatagramGate::inspect(std::span<const std::uint8_t> d, UdpAddress from, const PeerView* addressed,
                                  std::uint32_t now_ms) {
  if (is_cookie_datagram(d)) return on_cookie_request(d, from, now_ms);
  const auto header = parse_datagram_header(d);
  if (!header || header->compressed || d.size() == header->size) return drop(DropReason::Malformed);
  if (header->peer_id == kNoPeerId) {
    EnetCommandIterator it(d, *header);
    EnetCommandView connect, rest;
    if (!it.next(connect)) return drop(DropReason::Malformed);  // the first command must be a CONNECT
    while (it.next(rest)) {
    }
    if (it.malformed()) return drop(DropReason::Malformed);
    return on_connect(connect, from, now_ms);
  }
  if (addressed == nullptr || header->peer_id >= slots_.size()) return drop(DropReason::Malformed);
  if (addressed->phase == PeerPhase::Free || addressed->address != from) return drop(DropReason::UnknownPeer);
  return on_peer_datagram(d, *header, from, *addressed, now_ms);
}

// ---------------------------------------------------------------------------
// Proof of address
// ---------------------------------------------------------------------------
GateVerdict DatagramGate::on_cookie_request(std::span<const std::uint8_t> d, UdpAddress from, std::uint32_t now_ms) {
  if (!is_cookie_request(d)) {
    const bool request_shaped = d.size() >= 6 && d[5] == 'Q';
    return drop(request_shaped ? DropReason::ShortRequest : DropReason::Malformed);
  }
  GateVerdict v;
  v.action = GateVerdict::Action::ReplyCookie;
  v.reply = make_cookie_reply(cookie_for(from, now_ms), now_ms / kCookieWindowMs);
  counters_.cookie_replies += 1;
  return v;
}

const token::CookieKey& DatagramGate::window_key(std::uint32_t window) {
  for (const WindowKey& k : window_keys_) {
    if (k.valid && k.window == window) return k.key;
  }
  // Replace the older of the two cached windows (or an empty entry).
  WindowKey& slot =
      (!window_keys_[0].valid || (window_keys_[1].valid && window_keys_[0].window < window_keys_[1].window))
          ? window_keys_[0]
          : window_keys_[1];
  slot = WindowKey{window, token::cookie_window_key(master_, window), true};
  return slot.key;
}

std::uint32_t DatagramGate::cookie_for(UdpAddress from, std::uint32_t now_ms) {
  const std::uint32_t window = now_ms / kCookieWindowMs;
  return token::address_cookie(window_key(window), from.ip, from.port, window);
}

bool DatagramGate::cookie_valid(std::uint32_t cookie, UdpAddress from, std::uint32_t now_ms) {
  const std::uint32_t window = now_ms / kCookieWindowMs;
  if (token::address_cookie(window_key(window), from.ip, from.port, window) == cookie) return true;
  return window > 0 && token::address_cookie(window_key(window - 1), from.ip, from.port, window - 1) == cookie;
}

// ---------------------------------------------------------------------------
// Connection requests: cookie, per-address cap, pool
// ---------------------------------------------------------------------------
GateVerdict DatagramGate::on_connect(const EnetCommandView& connect, UdpAddress from, std::uint32_t now_ms) {
  if (cfg_.require_cookie) {
    const std::uint32_t data = connect.u32(kConnectDataOffset);
    if (data == 0) return drop(DropReason::NoCookie);
    if (!cookie_valid(data, from, now_ms)) return drop(DropReason::BadCookie);
  }
  const auto held = unwelcomed_by_ip_.find(from.ip);
  if (held != unwelcomed_by_ip_.end() && held->second >= cfg_.max_unwelcomed_per_ip) return drop(DropReason::PerIp);
  GateVerdict v;
  if (unwelcomed_ >= cfg_.max_unwelcomed) {
    const auto victim = eviction_victim(from, now_ms);
    if (!victim) return drop(DropReason::PoolFull);
    release(*victim);
    counters_.cut[index(CutReason::Evicted)] += 1;
    v.cut = Cut{*victim, CutReason::Evicted};
  }
  // Counted now, before ENet allocates the peer: the recount after this
  // service call replaces the guess with what ENet did.
  unwelcomed_ += 1;
  unwelcomed_by_ip_[from.ip] += 1;
  needs_recount_ = true;
  return v;
}

/// Makes room in a full pool: the oldest stale peer (unwelcomed for longer
/// than kUnwelcomedGraceMs) of the address holding the most stale peers, if
/// that address holds at least two more stale peers than the newcomer's.
/// Only stale peers count because a real client is welcomed one round trip
/// after its CONNECT: players arriving together from one address (a NAT, a
/// LAN) hold young peers and still get in, while an attacker's handshakes
/// that never send Hello grow stale and are the ones evicted. Addresses
/// holding equal shares do not evict each other. nullopt: drop the newcomer.
std::optional<std::uint16_t> DatagramGate::eviction_victim(UdpAddress newcomer, std::uint32_t now_ms) const {
  std::unordered_map<std::uint32_t, std::uint32_t> stale_by_ip;
  for (const Slot& s : slots_) {
    if (is_stale(s, now_ms)) stale_by_ip[s.address.ip] += 1;
  }
  const auto mine = stale_by_ip.find(newcomer.ip);
  const std::uint32_t newcomer_holds = mine == stale_by_ip.end() ? 0 : mine->second;
  std::uint32_t heaviest_ip = 0, heaviest = 0;
  for (const auto& [ip, n] : stale_by_ip) {
    if (n > heaviest) {
      heaviest = n;
      heaviest_ip = ip;
    }
  }
  if (heaviest < newcomer_holds + 2) return std::nullopt;
  std::optional<std::uint16_t> victim;
  std::uint32_t oldest_age = 0;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    if (!is_stale(s, now_ms) || s.address.ip != heaviest_ip) continue;
    const std::uint32_t age = elapsed(now_ms, s.first_seen_ms);
    if (!victim || age > oldest_age) {
      victim = static_cast<std::uint16_t>(i);
      oldest_age = age;
    }
  }
  return victim;
}

bool DatagramGate::is_stale(const Slot& s, std::uint32_t now_ms) {
  return s.in_use && s.counted && !s.welcomed && elapsed(now_ms, s.first_seen_ms) >= kUnwelcomedGraceMs;
}

// ---------------------------------------------------------------------------
// Datagrams of a peer: fragments, sequence window, transport budget
// ---------------------------------------------------------------------------
DatagramGate::Slot& DatagramGate::record_for(std::uint16_t slot, const PeerView& peer, std::uint32_t now_ms) {
  Slot& s = slots_[slot];
  if (!s.in_use || s.connect_id != peer.connect_id) {
    // A connection the last recount has not seen: its CONNECT is already
    // counted; the next recount counts it properly.
    release(slot);
    s.in_use = true;
    s.connect_id = peer.connect_id;
    s.address = peer.address;
    s.first_seen_ms = now_ms;
    s.transport_window_ms = now_ms;
  }
  return s;
}

GateVerdict DatagramGate::on_peer_datagram(std::span<const std::uint8_t> d, const DatagramHeader& header,
                                           UdpAddress /*from*/, const PeerView& peer, std::uint32_t now_ms) {
  Slot& s = record_for(header.peer_id, peer, now_ms);
  if (elapsed(now_ms, s.transport_window_ms) >= kSecondMs) {
    s.transport_window_ms = now_ms;
    s.transport_commands = 0;
  }
  std::uint32_t transport = 0;
  std::optional<DropReason> refused;
  EnetCommandIterator it(d, header);
  EnetCommandView cmd;
  while (it.next(cmd)) {
    const auto r = check_command(cmd, peer, s, now_ms, transport);
    if (r && !refused) refused = r;
  }
  s.transport_commands += transport;
  if (s.transport_commands > cfg_.transport_commands_per_s) {
    release(header.peer_id);
    counters_.cut[index(CutReason::TransportFlood)] += 1;
    return drop(DropReason::TransportFlood, Cut{header.peer_id, CutReason::TransportFlood});
  }
  if (it.malformed()) return drop(DropReason::Malformed);
  if (refused) return drop(*refused);
  return {};
}

/// One command of a peer's datagram: a refusal, or nothing; transport
/// commands are added to `transport`.
std::optional<DropReason> DatagramGate::check_command(const EnetCommandView& cmd, const PeerView& peer, Slot& slot,
                                                      std::uint32_t now_ms, std::uint32_t& transport) {
  switch (cmd.command) {
    case EnetCommand::Ping:
    case EnetCommand::BandwidthLimit:
    case EnetCommand::ThrottleConfigure:
    case EnetCommand::Connect:        // to a peer that exists: ENet refuses it
    case EnetCommand::VerifyConnect:  // only a server sends that
      transport += 1;
      return std::nullopt;
    default: break;
  }
  if (!is_data(cmd.command)) return std::nullopt;  // acknowledgements, disconnect
  if (cmd.channel >= peer.channel_count || cmd.channel >= peer.incoming_reliable.size()) {
    transport += 1;  // ENet refuses commands on channels the peer does not have
    return std::nullopt;
  }
  const std::uint16_t delivered = peer.incoming_reliable[cmd.channel];
  const std::uint16_t sequence =
      cmd.command == EnetCommand::SendFragment ? cmd.u16(kFragmentStartSequenceOffset) : cmd.reliable_sequence;
  if (cmd.command != EnetCommand::SendUnsequenced && too_far_ahead(sequence, delivered)) {
    return DropReason::SequenceWindow;
  }
  if (is_fragment(cmd.command)) return check_fragment(cmd, slot, now_ms);
  return std::nullopt;
}

std::optional<DropReason> DatagramGate::check_fragment(const EnetCommandView& cmd, Slot& slot, std::uint32_t now_ms) {
  if (!slot.welcomed) return DropReason::Fragment;  // nothing before Welcome needs fragments
  const std::uint32_t count = cmd.u32(kFragmentCountOffset);
  const std::uint32_t number = cmd.u32(kFragmentNumberOffset);
  const std::uint32_t total = cmd.u32(kFragmentTotalLengthOffset);
  const std::uint32_t offset = cmd.u32(kFragmentOffsetOffset);
  const std::size_t length = cmd.payload.size();
  const bool sane = count > 0 && number < count && count <= total && total <= cfg_.max_fragmented_bytes &&
                    count <= (total + kMinFragmentBytes - 1) / kMinFragmentBytes && offset < total &&
                    length <= total - offset;
  if (!sane) return DropReason::Fragment;
  const bool reliable = cmd.command == EnetCommand::SendFragment;
  const std::uint64_t key = (std::uint64_t{reliable} << 40) | (std::uint64_t{cmd.channel} << 32) |
                            (std::uint64_t{reliable ? 0u : cmd.reliable_sequence} << 16) |
                            cmd.u16(kFragmentStartSequenceOffset);
  FragmentSet* room = nullptr;
  for (FragmentSet& set : slot.fragments) {
    if (set.used && set.key == key) return std::nullopt;
    if (!set.used || elapsed(now_ms, set.first_ms) >= kSecondMs) room = &set;
  }
  if (room == nullptr) return DropReason::FragmentSets;
  *room = FragmentSet{key, now_ms, true};
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Bookkeeping and timeouts
// ---------------------------------------------------------------------------
void DatagramGate::uncount(Slot& s) {
  if (!s.in_use || !s.counted || s.welcomed) return;
  unwelcomed_ -= std::min<std::size_t>(unwelcomed_, 1);
  const auto it = unwelcomed_by_ip_.find(s.address.ip);
  if (it != unwelcomed_by_ip_.end() && --it->second == 0) unwelcomed_by_ip_.erase(it);
}

void DatagramGate::release(std::uint16_t slot) {
  uncount(slots_[slot]);
  slots_[slot] = Slot{};
}

void DatagramGate::mark_welcomed(std::uint16_t slot, std::uint32_t connect_id) {
  if (slot >= slots_.size()) return;
  Slot& s = slots_[slot];
  if (!s.in_use || s.connect_id != connect_id) return;
  uncount(s);
  s.welcomed = true;
}

void DatagramGate::recount(std::span<const PeerView> peers, std::uint32_t now_ms) {
  unwelcomed_by_ip_.clear();
  unwelcomed_ = 0;
  std::size_t half_open = 0;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    const PeerView* v = i < peers.size() ? &peers[i] : nullptr;
    if (v == nullptr || v->phase == PeerPhase::Free) {
      s = Slot{};
      continue;
    }
    if (!s.in_use || s.connect_id != v->connect_id) {
      s = Slot{};
      s.in_use = true;
      s.connect_id = v->connect_id;
      s.address = v->address;
      s.first_seen_ms = now_ms;
      s.transport_window_ms = now_ms;
    }
    s.counted = true;
    half_open += v->phase == PeerPhase::HalfOpen ? 1 : 0;
    if (!s.welcomed) {
      unwelcomed_ += 1;
      unwelcomed_by_ip_[s.address.ip] += 1;
    }
  }
  needs_recount_ = false;
  counters_.half_open = half_open;
  counters_.unwelcomed = unwelcomed_;
}

void DatagramGate::expire(std::span<const PeerView> peers, std::uint32_t now_ms, std::vector<Cut>& cuts) {
  recount(peers, now_ms);
  for (std::size_t i = 0; i < slots_.size() && i < peers.size(); ++i) {
    const Slot& s = slots_[i];
    const PeerView& v = peers[i];
    if (!s.in_use) continue;
    std::optional<CutReason> reason;
    if (v.phase == PeerPhase::HalfOpen && elapsed(now_ms, s.first_seen_ms) >= cfg_.handshake_timeout_ms) {
      reason = CutReason::HandshakeTimeout;
      counters_.half_open -= std::min<std::size_t>(counters_.half_open, 1);
    } else if (v.phase == PeerPhase::Connected || v.phase == PeerPhase::Closing) {
      const std::uint32_t heard = v.last_receive_ms != 0 ? v.last_receive_ms : s.first_seen_ms;
      if (elapsed(now_ms, heard) >= cfg_.dead_peer_ms) reason = CutReason::Dead;
    }
    if (!reason) continue;
    const auto slot = static_cast<std::uint16_t>(i);
    release(slot);
    counters_.cut[index(*reason)] += 1;
    cuts.push_back(Cut{slot, *reason});
  }
  counters_.unwelcomed = unwelcomed_;
}

}  // namespace qbot::net
