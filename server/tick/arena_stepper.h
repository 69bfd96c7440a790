#pragma once
// One tick of every arena: the players' commands go in, the world steps,
// each player's snapshot is encoded, and the tick's match events and
// snapshots go out. Arenas share nothing while they step, so they run in
// parallel on worker lanes (--workers), each lane with its own scratch and
// no locks; events and packets are handed to the network afterwards, in
// arena order, on the tick thread (the NetWorker and the events' encoder are
// single-threaded). Lifetime of the scratch: the process; of its contents: one tick.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "core/worker_pool.h"
#include "net/net_worker.h"
#include "proto/codec.h"
#include "server/arena/arena_directory.h"
#include "server/clients/clients.h"
#include "server/config.h"
#include "server/io/io_worker.h"
#include "server/metrics/metrics.h"
#include "server/snapshot/client_snapshots.h"

namespace qbot::server {

/// Per-packet counts, summed on the lanes during a tick and published once
/// (Prometheus counters are atomics: too costly a thousand times a tick).
struct TickCounts {
  std::uint64_t inputs_applied = 0;
  std::uint64_t inputs_late = 0;  // taken after their tick (InputBuffer::late)
  std::uint64_t snapshots_full = 0;
  std::uint64_t snapshots_delta = 0;
};

class ArenaStepper {
 public:
  /// Called on the tick thread for every battle that ended this tick.
  using MatchEnded = std::function<void(const Arena&, const proto::MatchEnded&)>;

  ArenaStepper(const Config& cfg, Clients& clients, net::NetWorker& net, IoWorker& io, Metrics& metrics,
               MatchEnded on_match_ended);

  /// Steps every arena once and queues its events and snapshots.
  void step(ArenaDirectory& arenas);
  /// Sees every arena's match events after its tick, on the tick thread
  /// (the spectator feed's kill feed). Unset: nothing is called.
  using EventTap = std::function<void(const Arena&, std::span<const proto::MatchEvent>)>;
  void tap_events(EventTap tap) { tap_ = std::move(tap); }
  /// The counts since the last call (then zeroed).
  TickCounts take_counts();
  /// The worker threads (not the caller's), for --realtime-priority.
  std::vector<std::thread::native_handle_type> worker_threads() { return workers_.native_handles(); }

 private:
  /// Scratch space of one worker lane: nothing shared, no locks.
  struct Lane {
    proto::Encoder encoder;
    std::vector<std::uint8_t> entities;
    std::vector<sim::BotCommand> commands;
    std::vector<Session*> sessions;  // the arena's players' sessions, in players() order
    TickCounts counts;
  };
  /// One arena's tick, from its lane to the tick thread.
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

  void simulate(ArenaWork& work, Lane& lane);  // on a lane: touches only its arena's state
  void build_snapshots(ArenaWork& work, Lane& lane);
  void deliver(ArenaWork& work);  // on the tick thread

  const Config& cfg_;
  Clients& clients_;
  net::NetWorker& net_;
  IoWorker& io_;
  Metrics& metrics_;
  MatchEnded on_match_ended_;
  EventTap tap_;
  SnapshotPolicy snapshot_policy_;
  core::WorkerPool workers_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<ArenaWork> work_;
};

}  // namespace qbot::server
