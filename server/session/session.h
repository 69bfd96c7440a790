#pragma once
// One connected peer, from ENet connect to disconnect: handshake state,
// abuse counters, input buffer and snapshot baselines. Lifetime: connection
// (or an orphaned slot waiting for its player to reconnect).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/tick.h"
#include "net/net_host.h"
#include "server/session/input_buffer.h"
#include "server/session/rate_limiter.h"
#include "server/snapshot/client_snapshots.h"

namespace qbot::server {

enum class SessionState : std::uint8_t {
  AwaitingHello,  // connected; must send Hello before `deadline`
  Active,         // welcomed, playing in `arena`
  Lobby,          // welcomed into the lobby: garage and matchmaking queue, no arena
  Orphaned,       // connection lost; the bot keeps its slot until `deadline` for a reconnect
  Closing,        // rejected / kicked; waiting for ENet to finish the disconnect
};

/// What to do with one received packet, as far as its rate is concerned.
enum class PacketVerdict : std::uint8_t {
  Accept,
  Drop,  // over the token bucket: dropped and counted
  Kick,  // a second's worth of excess packets within one second: a flood
};

struct Session {
  Session(SessionId id_, net::PeerRef peer_, std::chrono::nanoseconds now, std::chrono::nanoseconds hello_timeout,
          std::uint32_t packets_per_s, std::size_t input_burst)
      : id(id_),
        peer(peer_),
        deadline(now + hello_timeout),
        limiter(packets_per_s, std::max<std::uint32_t>(packets_per_s / 4, 16)),
        inputs(input_burst) {}

  /// Rate verdict for a packet received at `now` with a limit of
  /// `packets_per_s`. A burst now and then (a client catching up after a
  /// stall) only drops packets; a sustained flood asks for a kick.
  PacketVerdict admit_packet(std::chrono::nanoseconds now, std::uint32_t packets_per_s) {
    if (limiter.allow(now)) return PacketVerdict::Accept;
    if (now - rate_window_start > std::chrono::seconds(1)) {
      rate_window_start = now;
      rate_limited = 0;
    }
    return ++rate_limited > packets_per_s ? PacketVerdict::Kick : PacketVerdict::Drop;
  }

  bool welcomed() const { return state == SessionState::Active || state == SessionState::Lobby; }
  bool in_arena() const { return state == SessionState::Active || state == SessionState::Orphaned; }

  SessionId id;
  net::PeerRef peer;
  std::uint32_t ip = 0;  // the peer's IPv4 address (network byte order): per-address limits
  SessionState state = SessionState::AwaitingHello;
  std::chrono::nanoseconds deadline;      // AwaitingHello: Hello due (or a parked join's wait);
                                          // Orphaned: slot freed; Closing: force close
  std::vector<std::uint8_t> parked_join;  // a valid join token for a match not in our inbox yet

  // Abuse accounting.
  RateLimiter limiter;
  std::uint32_t rate_limited = 0;                 // packets dropped by the limiter in the current window
  std::chrono::nanoseconds rate_window_start{0};  // 1 s window for rate_limited
  std::uint32_t bad_messages = 0;                 // undecodable / out-of-place packets
  std::uint64_t bytes_received = 0;               // before Welcome: caps what we answer

  // Set by the handshake.
  PlayerId player_id = 0;
  AccountId account = 0;  // lobby and matchmade sessions: the player's account
  ArenaId arena = 0;
  sim::EntityId entity = 0;
  std::string name;
  std::string reconnect_token;  // random bytes; a Hello presenting it takes this slot over
  bool played = false;          // sent an Input with commands in an arena: it has a game to lose
  bool counted_parked = false;  // SessionTable::park counted it (per address and account) until erased

  // Game traffic.
  InputBuffer inputs;
  core::Tick acked_snapshot = 0;
  ClientSnapshots snapshots;
};

}  // namespace qbot::server
