#pragma once
// What happens to the clients of this process, Quake III's sv_client.c:
// admitted into an arena or the lobby, welcomed, resumed after a drop,
// rejected, orphaned, removed. Owns the session table; every change of a
// session's state goes through here, so the player and lobby counts and the
// reconnect index can never disagree with the sessions. Runs on the tick
// thread only. Sends through the NetWorker (queued, no syscalls).
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "net/net_worker.h"
#include "proto/codec.h"
#include "server/arena/arena_directory.h"
#include "server/config.h"
#include "server/lobby/lobby.h"
#include "server/metrics/metrics.h"
#include "server/session/session_table.h"
#include "sim/catalog.h"
#include "token/token.h"

namespace qbot::server {

class Clients {
 public:
  using Nanos = std::chrono::nanoseconds;

  /// Everything passed in must outlive this object.
  Clients(const Config& cfg, net::NetWorker& net, Metrics& metrics, ArenaDirectory& arenas, Lobby& lobby,
          const sim::Catalog& catalog, const token::Key& key);

  /// A new connection: an AwaitingHello session with the Hello deadline set.
  Session& connect(SessionId id, net::PeerRef peer, Nanos now);
  /// ENet reported the peer gone. A player who dropped (not quit) keeps the
  /// bot for --reconnect-grace; everyone else is removed at once.
  void disconnected(SessionId id, bool quit, Nanos now);

  /// Puts the session's bot into `arena` and welcomes it; a full arena
  /// rejects with ServerFull.
  void place(Session& s, Arena& arena, const sim::Loadout& loadout, const Seat& seat, Nanos now);
  /// Hands `old`'s bot (and slot) to `s`; rejects InvalidToken if its arena is gone.
  void resume(Session& s, Session& old, Nanos now);
  /// Welcomes the session into the lobby under `account` (signing an
  /// account token issued at `unix_ms`); `server_tick` is the process's tick count.
  void enter_lobby(Session& s, AccountId account, std::uint64_t unix_ms, core::Tick server_tick);

  /// Sends Reject{reason, text} (never more bytes than an unwelcomed peer
  /// sent us), takes the session out of its arena or lobby and closes it.
  /// Orphaned and closing sessions are only counted.
  void reject(Session& s, proto::RejectReason reason, std::string text, Nanos now);
  /// Forgets the session at once (its bot leaves the arena).
  void remove(SessionId id);
  /// Deadlines: Hello timeouts, parked joins, reconnect grace, forced closes.
  void expire(Nanos now);

  /// The drain's start: no new player is taken (guest and lobby Hellos are
  /// refused with ShuttingDown; joins to matches hosted here and reconnects
  /// still get in), and everyone in the lobby or queue gets Reject
  /// ShuttingDown at once. Battles in progress play on.
  void stop_admitting(Nanos now);
  bool admitting() const { return admitting_; }
  /// While draining: the players of direct-join arenas that are not in a
  /// battle (it ended, or never began) get ShuttingDown; matchmade arenas
  /// are closed by MatchHost after their one battle.
  void release_idle_arenas(Nanos now);

  /// Shutdown: nobody new is taken, dropped players are not kept, and every
  /// session is rejected with ShuttingDown.
  void drain(Nanos now);
  bool draining() const { return draining_; }

  void send_reliable(const Session& s, std::span<const std::uint8_t> bytes);
  /// To every active player of `arena` except the session `except` (0 = none).
  void broadcast(const Arena& arena, std::span<const std::uint8_t> bytes, SessionId except);
  /// A lobby message to a session still in the lobby (others are ignored).
  void send_to_lobby(SessionId id, const proto::Message& msg);

  Session* find(SessionId id) { return sessions_.find(id); }
  SessionTable& sessions() { return sessions_; }
  const SessionTable& sessions() const { return sessions_; }
  std::size_t players() const { return players_; }
  std::size_t lobby_sessions() const { return lobby_sessions_; }
  proto::Encoder& encoder() { return encoder_; }

 private:
  void welcome(Session& s, Arena& arena, bool reconnected);
  void announce(Session& s, Arena& arena, bool reconnected);
  void orphan(Session& s, Nanos now);
  void leave_arena(Session& s);
  void leave_lobby(Session& s);
  proto::Loadout wire_loadout(const sim::Loadout& l) const;

  const Config& cfg_;
  net::NetWorker& net_;
  Metrics& metrics_;
  ArenaDirectory& arenas_;
  Lobby& lobby_;
  const sim::Catalog& catalog_;
  const token::Key& key_;
  SessionTable sessions_;
  proto::Encoder encoder_;
  std::vector<SessionId> scratch_ids_;
  PlayerId next_player_id_ = 1;
  std::size_t players_ = 0;
  std::size_t lobby_sessions_ = 0;
  bool admitting_ = true;
  bool draining_ = false;
};

}  // namespace qbot::server
