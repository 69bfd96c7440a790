#pragma once
// The process: one ENet host, the sessions on it, the arenas they play in,
// and the side threads (store worker). Time comes in through `Clock`, which
// only main.cpp creates from a real clock; tests pass virtual time.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/fixed_step.h"
#include "core/worker_pool.h"
#include "core/result.h"
#include "net/net_worker.h"
#include "proto/codec.h"
#include "server/arena/arena_directory.h"
#include "server/config.h"
#include "server/game_content.h"
#include "server/lobby/lobby.h"
#include "server/matchmade/hosted_matches.h"
#include "server/results/result_journal.h"
#include "server/store/store.h"
#include "server/io/io_worker.h"
#include "server/metrics/metrics.h"
#include "server/session/session.h"

namespace qbot::server {

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

  /// Binds the ENet host and announces the server in the registry.
  core::Result<bool, std::string> start();

  /// One loop iteration: handles network events until the next tick is due
  /// (waiting at most `max_wait`), then runs every due tick.
  void run_once(std::chrono::milliseconds max_wait = std::chrono::milliseconds(50));

  /// With --realtime-priority, puts the calling (tick) thread and the arena
  /// workers under SCHED_FIFO. Call it after every other thread exists:
  /// threads inherit their creator's policy, and the network, store and
  /// matchmaker threads must stay ordinary. Logs and carries on if refused.
  void apply_realtime_priority();

  /// Graceful stop: refuses newcomers, tells every client (Reject
  /// ShuttingDown), waits up to `grace` for disconnects, deregisters.
  void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));

  std::uint16_t port() const;
  std::size_t player_count() const { return players_; }
  std::size_t session_count() const { return sessions_.size(); }
  std::size_t arena_count() const { return arenas_.size(); }
  std::size_t lobby_count() const { return lobby_sessions_; }
  const Config& config() const { return cfg_; }

 private:
  using Nanos = std::chrono::nanoseconds;

  // Network events.
  void on_connect(net::NetEvent& ev, Nanos now);
  void on_receive(net::NetEvent& ev, Nanos now);
  void on_disconnect(net::NetEvent& ev);
  void on_hello(Session& s, proto::Hello& hello, Nanos now);
  void place_player(Session& s, Arena& arena, const sim::Loadout& loadout, const Seat& seat, Nanos now);
  void resume(Session& s, Session& old, Nanos now);
  void welcome(Session& s, Arena& arena, bool reconnected);
  void on_input(Session& s, const proto::Input& input);
  void on_bad_message(Session& s, const std::string& why, Nanos now);

  // Lobby and matchmade matches (server_matchmaking.cpp).
  void enter_lobby(Session& s, const proto::Hello& hello, Nanos now);
  void on_lobby_message(Session& s, proto::Message& msg, Nanos now);
  void leave_lobby(Session& s);
  void admit_join(Session& s, std::span<const std::uint8_t> token, Nanos now);
  void tend_matchmaking(Nanos now);
  void poll_inbox();
  void host_matches(std::vector<MatchAssignment>& matches, Nanos now);
  void close_matchmade(Arena& arena, Nanos now);
  void report_result(const Arena& arena, const proto::MatchEnded& ended);
  void post_results();
  void redeliver_results();
  std::uint64_t unix_ms() const;

  // Tick.
  void run_tick(Nanos started);
  struct TickLane;
  struct ArenaWork;
  void step_arenas();
  void simulate(ArenaWork& work, TickLane& lane);  // on a worker lane: touches only its arena's state
  void build_snapshots(ArenaWork& work, TickLane& lane);
  void deliver(Arena& arena, Arena::TickOutput& out);
  void save_replay(replay::Recording recording);
  proto::Loadout wire_loadout(const sim::Loadout& l) const;
  void expire_sessions(Nanos now);
  void publish_metrics();
  void post_heartbeat();
  void log_scoreboard();

  // Session helpers.
  void reject(Session& s, proto::RejectReason reason, std::string text, Nanos now);
  void remove_session(SessionId id);
  void orphan(Session& s, Nanos now);
  void leave_arena(Session& s);
  Session* find_session(SessionId id);
  void send_reliable(const Session& s, std::span<const std::uint8_t> bytes);
  void broadcast(const Arena& arena, std::span<const std::uint8_t> bytes, SessionId except);
  ServerInfo registry_info() const;

  Config cfg_;
  Metrics& metrics_;
  Store& store_;
  Clock clock_;
  std::unique_ptr<net::NetWorker> net_;
  std::vector<net::NetEvent> events_;  // scratch: one poll's events
  std::unique_ptr<IoWorker> io_;
  core::FixedStep fixed_step_;
  const GameContent& content_;
  ArenaContent arena_content_;
  ArenaDirectory arenas_;
  std::unordered_map<SessionId, Session> sessions_;
  proto::Encoder encoder_;
  SnapshotPolicy snapshot_policy_;
  std::unordered_map<std::string, SessionId> reconnect_tokens_;
  UnixClock unix_clock_;
  token::Key token_key_;
  std::unique_ptr<Lobby> lobby_;
  HostedMatches hosted_;
  std::unique_ptr<ResultJournal> journal_;
  std::vector<MatchResult> unsent_results_;  // the store worker's queue was full; posted again soon
  std::size_t lobby_sessions_ = 0;
  bool inbox_in_flight_ = false;
  bool redelivery_in_flight_ = false;
  std::uint64_t ticks_matchmaking_ = 0;  // tend_matchmaking runs every ~100 ms

  std::uint32_t next_player_id_ = 1;
  std::size_t players_ = 0;
  std::uint64_t ticks_run_ = 0;
  bool draining_ = false;
  net::HostTotals published_totals_{};
  std::uint64_t published_send_failures_ = 0;
  struct TickCounts {
    std::uint64_t inputs_applied = 0;
    std::uint64_t snapshots_full = 0;
    std::uint64_t snapshots_delta = 0;
  };
  /// Scratch space of one worker lane (--workers): nothing shared, no locks.
  struct TickLane {
    proto::Encoder encoder;
    std::vector<std::uint8_t> entities;
    std::vector<sim::BotCommand> commands;
    std::vector<Session*> sessions;  // the arena's players' sessions, in players() order
    TickCounts counts;
  };
  /// One arena's tick: stepped and its snapshots encoded on a lane; its
  /// events and packets handed to the network afterwards, in arena order, on
  /// the tick thread (NetWorker and the Encoder of events are single-threaded).
  struct ArenaWork {
    Arena* arena = nullptr;
    Arena::TickOutput out;
    std::vector<std::uint8_t> bytes;  // encoded snapshots, back to back
    struct Packet {
      net::PeerRef peer;
      std::uint32_t offset = 0;
      std::uint32_t size = 0;
    };
    std::vector<Packet> packets;
  };
  std::unique_ptr<core::WorkerPool> workers_;
  std::vector<std::unique_ptr<TickLane>> lanes_;
  std::vector<ArenaWork> arena_work_;
  std::uint64_t published_skipped_ = 0;
  double published_cpu_s_ = 0.0;
};

}  // namespace qbot::server
