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
  /// `content` (catalog and maps) must outlive the server. Without a
  /// `unix_clock`, wall time is derived from `clock` (tests on virtual time).
  Server(Config cfg, const GameContent& content, Metrics& metrics, Store& store, Clock clock,
         UnixClock unix_clock = {});
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

  /// Graceful stop: refuses newcomers, tells every client (Reject
  /// ShuttingDown), waits up to `grace` for disconnects, deregisters, and
  /// keeps every undelivered result in the journal.
  void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));

  std::uint16_t port() const;
  std::size_t player_count() const;
  std::size_t session_count() const;
  std::size_t arena_count() const { return arenas_.size(); }
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
  };

  void create_components();
  void handle_events();
  void run_tick(Nanos started);
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
  std::uint64_t ticks_run_ = 0;
  bool draining_ = false;
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
