#pragma once
// The server's gate in front of ENet: what happens to each raw datagram
// before ENet parses it, and which peers to cut loose. A pure object: it
// sees bytes, the source address, a view of the addressed ENet peer and the
// time, and keeps its own small per-slot records; it never touches ENet or
// a socket (NetHost carries its verdicts out), so it can be unit-tested and
// fuzzed without either. docs/SECURITY.md explains each rule.
//
//  - Proof of address: a cookie request is answered (never with more bytes
//    than it had); a CONNECT must carry the cookie of its source address.
//  - Unwelcomed peers (connected or half-open, not yet sent Welcome) are
//    bounded by a pool and a per-address cap; a full pool makes room by
//    evicting the oldest stale peer of the address holding the most stale
//    ones (stale: unwelcomed for longer than a real client needs).
//  - Fragments only from welcomed peers, with sane counts and totals, and
//    few fragmented packets in flight; reliable sequence numbers far ahead
//    of what was delivered are refused (ENet would queue them).
//  - Transport commands (pings, bandwidth and throttle settings, unknown
//    channels) count against a per-peer budget per second.
//  - Half-open peers expire after the handshake timeout, connected peers
//    that acknowledge nothing after the dead-peer timeout.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "net/connect_cookie.h"
#include "net/datagram_check.h"
#include "token/address_cookie.h"

namespace qbot::net {

struct GateConfig {
  bool require_cookie = true;                   // false: any CONNECT is accepted (clients without the exchange)
  std::size_t max_unwelcomed = 128;             // peers not yet welcomed, all addresses together
  std::size_t max_unwelcomed_per_ip = 32;       // ... from one IPv4 address
  std::uint32_t handshake_timeout_ms = 2000;    // a half-open peer is reset after this
  std::uint32_t dead_peer_ms = 5000;            // a connected peer that acknowledged nothing this long is cut
  std::uint32_t transport_commands_per_s = 64;  // pings, bandwidth/throttle settings, unknown channels
  std::size_t max_fragmented_bytes = 2048;      // largest packet a peer may send in fragments
};

enum class DropReason : std::uint8_t {
  Malformed,       // not ENet (or a cookie datagram we do not answer)
  UnknownPeer,     // for a slot that is free or belongs to another address: ENet would ignore it
  ShortRequest,    // cookie request shorter than kCookieRequestBytes or of another version
  NoCookie,        // CONNECT with connect data 0
  BadCookie,       // CONNECT whose data is not its address's cookie (wrong, forged, or expired)
  PoolFull,        // CONNECT while max_unwelcomed peers wait, and nobody to evict
  PerIp,           // CONNECT from an address holding max_unwelcomed_per_ip unwelcomed peers
  Fragment,        // fragment from an unwelcomed peer, or with impossible counts / lengths
  FragmentSets,    // a new fragmented packet while kFragmentSetsInFlight are in flight
  SequenceWindow,  // a reliable sequence number far ahead of the delivered one
  TransportFlood,  // the datagram that took a peer over its transport budget (the peer is cut)
  Count,
};
enum class CutReason : std::uint8_t {
  HandshakeTimeout,  // half-open past --handshake-timeout-ms
  Dead,              // connected, nothing acknowledged for --dead-peer-ms
  TransportFlood,    // over --max-transport-commands-per-s
  Evicted,           // unwelcomed, removed to make room in a full pool
  Count,
};
const char* drop_reason_name(DropReason r);
const char* cut_reason_name(CutReason r);

/// The state of an ENet peer slot, as far as the gate cares.
enum class PeerPhase : std::uint8_t {
  Free,       // DISCONNECTED or ZOMBIE: ENet ignores datagrams for it
  HalfOpen,   // a CONNECT was accepted; the handshake is not complete
  Connected,  // CONNECTED or DISCONNECT_LATER
  Closing,    // DISCONNECTING, ACKNOWLEDGING_DISCONNECT
};

struct PeerView {
  PeerPhase phase = PeerPhase::Free;
  std::uint32_t connect_id = 0;  // ENet's per-connection random id: a new value = a new connection
  UdpAddress address;
  std::uint32_t last_receive_ms = 0;  // ENet's lastReceiveTime (last acknowledgement)
  std::uint8_t channel_count = 0;
  std::array<std::uint16_t, 2> incoming_reliable{};  // last delivered reliable sequence, channels 0 and 1
};

struct Cut {
  std::uint16_t slot = 0;
  CutReason reason = CutReason::Dead;
};

struct GateVerdict {
  enum class Action : std::uint8_t { Pass, Drop, ReplyCookie };
  Action action = Action::Pass;
  DropReason reason = DropReason::Malformed;  // Drop only
  CookieReply reply{};                        // ReplyCookie only
  std::optional<Cut> cut;                     // a peer to cut now (with Pass or Drop)
};

struct GateCounters {
  std::array<std::uint64_t, static_cast<std::size_t>(DropReason::Count)> dropped{};
  std::array<std::uint64_t, static_cast<std::size_t>(CutReason::Count)> cut{};
  std::uint64_t cookie_replies = 0;
  std::size_t half_open = 0;   // gauge, as of the last recount
  std::size_t unwelcomed = 0;  // gauge, as of the last recount (half-open included)
};

class DatagramGate {
 public:
  /// `slots` = the host's peer count; `master_key` seeds the cookie keys.
  DatagramGate(GateConfig cfg, std::size_t slots, const token::CookieKey& master_key);

  /// The verdict on one datagram from `from`. `addressed` is the ENet peer
  /// the header names (nullptr for kNoPeerId or a peer id beyond the host).
  /// The datagram must not be compressed (NetHost decompresses first).
  GateVerdict inspect(std::span<const std::uint8_t> datagram, UdpAddress from, const PeerView* addressed,
                      std::uint32_t now_ms);

  /// Re-reads every slot (`peers`, one per slot): who is in use and by whom,
  /// how many wait unwelcomed. Needed after a CONNECT passed (needs_recount()).
  void recount(std::span<const PeerView> peers, std::uint32_t now_ms);
  bool needs_recount() const { return needs_recount_; }
  /// Recounts, then appends the peers whose time is up to `cuts`.
  void expire(std::span<const PeerView> peers, std::uint32_t now_ms, std::vector<Cut>& cuts);
  /// The tick welcomed the connection `connect_id` in `slot`.
  void mark_welcomed(std::uint16_t slot, std::uint32_t connect_id);

  const GateCounters& counters() const { return counters_; }
  const GateConfig& config() const { return cfg_; }
  /// The cookie `from` gets now (tests and the fuzz target use it).
  std::uint32_t cookie_for(UdpAddress from, std::uint32_t now_ms);

 private:
  static constexpr std::size_t kFragmentSetsInFlight = 4;
  // How long a client may stay unwelcomed before a full pool may evict it:
  // a client sends Hello right after its handshake, so it is welcomed about
  // one round trip after its CONNECT; 500 ms covers round trips up to ~400 ms.
  static constexpr std::uint32_t kUnwelcomedGraceMs = 500;
  struct FragmentSet {
    std::uint64_t key = 0;  // kind, channel, sequence numbers
    std::uint32_t first_ms = 0;
    bool used = false;
  };
  struct Slot {
    bool in_use = false;
    bool counted = false;  // included in the unwelcomed counts by a recount
    bool welcomed = false;
    std::uint32_t connect_id = 0;
    UdpAddress address;
    std::uint32_t first_seen_ms = 0;
    std::uint32_t transport_window_ms = 0;
    std::uint32_t transport_commands = 0;
    std::array<FragmentSet, kFragmentSetsInFlight> fragments{};
  };
  struct WindowKey {
    std::uint32_t window = 0;
    token::CookieKey key{};
    bool valid = false;
  };

  GateVerdict drop(DropReason r, std::optional<Cut> cut = std::nullopt);
  GateVerdict on_cookie_request(std::span<const std::uint8_t> datagram, UdpAddress from, std::uint32_t now_ms);
  GateVerdict on_connect(const EnetCommandView& connect, UdpAddress from, std::uint32_t now_ms);
  GateVerdict on_peer_datagram(std::span<const std::uint8_t> datagram, const DatagramHeader& header, UdpAddress from,
                               const PeerView& peer, std::uint32_t now_ms);
  std::optional<DropReason> check_command(const EnetCommandView& cmd, const PeerView& peer, Slot& slot,
                                          std::uint32_t now_ms, std::uint32_t& transport);
  std::optional<DropReason> check_fragment(const EnetCommandView& cmd, Slot& slot, std::uint32_t now_ms);
  bool cookie_valid(std::uint32_t cookie, UdpAddress from, std::uint32_t now_ms);
  const token::CookieKey& window_key(std::uint32_t window);
  std::optional<std::uint16_t> eviction_victim(UdpAddress newcomer, std::uint32_t now_ms) const;
  static bool is_stale(const Slot& s, std::uint32_t now_ms);
  /// Takes an unwelcomed, counted record out of the counts.
  void uncount(Slot& s);
  /// Forgets `slot`'s record (it is being cut) and fixes the counts.
  void release(std::uint16_t slot);
  Slot& record_for(std::uint16_t slot, const PeerView& peer, std::uint32_t now_ms);

  GateConfig cfg_;
  token::CookieKey master_;
  std::array<WindowKey, 2> window_keys_{};
  std::vector<Slot> slots_;
  std::unordered_map<std::uint32_t, std::uint32_t> unwelcomed_by_ip_;  // includes CONNECTs passed since the recount
  std::size_t unwelcomed_ = 0;                                         // the same, all addresses
  bool needs_recount_ = false;
  GateCounters counters_;
};

}  // namespace qbot::net
