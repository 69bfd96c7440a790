#pragma once
// The process: one ENet host, the arenas, and the components that share
// the tick thread (clients, packet routing, arena stepping, matchmade
// hosting, status reporting), plus the side threads (network, IoWorker,
// arena workers). State here lives as long as the process; the components
// own the rest. Time comes in through `Clock`, which only main.cpp creates
// from a real clock; tests pass virtual time.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/cadence.h"
#include "core/fixed_step.h"
#include "core/result.h"
#include "net/net_worker.h"
#include "server/arena/arena_directory.h"
#include "server/config.h"
#include "server/game_content.h"
#include "server/metrics/health_signals.h"
#include "server/metrics/metrics.h"
#include "server/store/store.h"
#include "token/token.h"

namespace qbot::server {

class Clients;
class IoWorker;
class Lobby;
class MatchHost;
class ArenaStepper;
class PacketRouter;
class StatusReporter;
namespace spectator {
class SpectatorFeed;
}

using Clock = std::function<std::chrono::nanoseconds()>;
/// Wall time, ms since the Unix epoch: join token expiry and result times.
using UnixClock = std::function<std::uint64_t()>;

class Server {
 public:
  /// `content` (catalog and maps) must outlive the server, and so must
  /// `health` if given (the server publishes its tick, listening and store
  /// reachability there, for /healthz and /readyz). Without a `unix_clock`,
  /// wall time is derived from `clock` (tests on virtual time).
  Server(Config cfg, const GameContent& content, Metrics& metrics, Store& store, Clock clock, UnixClock unix_clock = {},
         HealthSignals* health = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Spectating: `feed` sees every tick's arenas and match events. Call
  /// before start(); the feed must outlive the server.
  void watch_with(spectator::SpectatorFeed& feed) { spectators_ = &feed; }

  /// Binds the ENet host, starts the side threads and announces the server
  /// in the registry. Fails (with the reason) if the port cannot be bound or
  /// --record-dir cannot be created.
  core::Result<bool, std::string> start();

  /// One loop iteration: handles network events until the next tick is due
  /// (waiting at most `max_wait`), then runs every due tick.
  void run_once(std::chrono::milliseconds max_wait = std::chrono::milliseconds(50));

  /// With --realtime-priority, puts the calling (tick) thread and the arena
  /// workers under SCHED_FIFO. Call it after every other thread exists:
  /// threads inherit their creator's policy, and the network, IO and
  /// matchmaker threads must stay ordinary. Logs and carries on if refused.
  void apply_realtime_priority();

  /// The drain (SIGTERM, an Agones shutdown), for a fleet: leaves the
  /// registry at once (matchmakers stop choosing this server), takes no new
  /// player (guests and lobby Hellos get ShuttingDown; so does everyone in
  /// the lobby or queue, at once), and lets the battles in progress finish:
  /// matchmade matches already taken on play to their result (their players
  /// may still join, and matches a matchmaker assigned before we left the
  /// registry are still taken from the inbox); direct-join arenas let their
  /// players go as their battle ends. Keep calling run_once() until drained()
  /// (or the drain timeout), then shutdown(). Idempotent.
  void begin_drain();
  bool draining() const { return draining_; }
  /// True once a drain has nothing left to wait for: no player in an arena,
  /// no hosted match, every result delivered to the store. A result
  /// journaled while the store is down keeps the drain waiting until it is
  /// redelivered (or the drain times out: the journal then outlives the
  /// process only as far as --journal-dir does).
  bool drained() const;

  /// Graceful stop (after a drain, or instead of one): tells every client
  /// still here (Reject ShuttingDown), waits up to `grace` for disconnects,
  /// leaves the registry (if the drain did not) and keeps every undelivered
  /// result in the journal.
  void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));

  std::uint16_t port() const;
  std::size_t player_count() const;
  std::size_t session_count() const;
  std::size_t arena_count() const { return arenas_.size(); }
  /// Players in arenas, or matchmade matches hosted here (seats may still be empty).
  bool busy() const;
  const Config& config() const { return cfg_; }

 private:
  using Nanos = std::chrono::nanoseconds;

  /// Periodic work of the tick, each through one named cadence.
  struct Cadences {
    core::Cadence deadlines;   // Hello, reconnect grace, forced closes: coarse, ~10/s
    core::Cadence matchmade;   // inbox, match start/close, unsent results: ~10/s
    core::Cadence redelivery;  // journaled results to the store
    core::Cadence heartbeat;   // registry entry
    core::Cadence scoreboard;  // log lines
    core::Cadence drain;       // while draining: direct-join arenas whose battle is over let their players go
  };

  void create_components();
  void handle_events();
  void run_tick(Nanos started);
  void tend_drain(Nanos now);
  void record_tick_duration(Nanos started);
  void wait_for_disconnects(std::chrono::milliseconds grace);
  std::uint64_t unix_ms() const;

  Config cfg_;
  Metrics& metrics_;
  Store& store_;
  Clock clock_;
  UnixClock unix_clock_;
  const GameContent& content_;
  ArenaContent arena_content_;
  token::Key token_key_;
  core::FixedStep fixed_step_;
  Cadences cadence_;
  ArenaDirectory arenas_;
  HealthSignals* health_;
  std::uint64_t ticks_run_ = 0;
  bool draining_ = false;
  bool shut_down_ = false;
  std::vector<net::NetEvent> events_;               // scratch: one poll's events
  spectator::SpectatorFeed* spectators_ = nullptr;  // optional, not owned

  // Created by start(), destroyed in reverse order.
  std::unique_ptr<net::NetWorker> net_;
  std::unique_ptr<IoWorker> io_;
  std::unique_ptr<Lobby> lobby_;
  std::unique_ptr<Clients> clients_;
  std::unique_ptr<MatchHost> matches_;
  std::unique_ptr<ArenaStepper> stepper_;
  std::unique_ptr<PacketRouter> router_;
  std::unique_ptr<StatusReporter> reporter_;
};

}  // namespace qbot::server
