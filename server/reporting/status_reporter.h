#pragma once
// What the server tells the outside world about itself: its Prometheus
// metrics (published once per tick from counts gathered during the tick),
// its registry entry in the Store (heartbeat, deregistration) and the
// scoreboard lines in the log. Reads the other components; changes none of
// them. Store calls go through the IoWorker; a full queue is counted.
// The heartbeat's outcome is the store's reachability in HealthSignals
// (/readyz); every kFleetCheckBeats heartbeats (and at the first) the same
// job reads the registry and counts live servers whose token key differs
// from ours (logged as an error naming the fix: their tokens and ours do not
// verify on each other, so matchmakers keep matches apart).
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/fixed_step.h"
#include "net/net_worker.h"
#include "server/arena/arena_directory.h"
#include "server/clients/clients.h"
#include "server/config.h"
#include "server/io/io_worker.h"
#include "server/matchmade/match_host.h"
#include "server/matchmaking/fleet_keys.h"
#include "server/metrics/health_signals.h"
#include "server/metrics/metrics.h"
#include "server/store/store_types.h"
#include "server/tick/arena_stepper.h"

namespace qbot::server {

class StatusReporter {
 public:
  /// Heartbeats (counted in heartbeats) between two checks of the fleet's keys.
  static constexpr std::uint32_t kFleetCheckBeats = 30;

  /// Everything passed in must outlive this object; `health` may be null.
  /// `key_fingerprint` is token::key_fingerprint of our token key.
  StatusReporter(const Config& cfg, Metrics& metrics, net::NetWorker& net, IoWorker& io, const core::FixedStep& step,
                 const Clients& clients, ArenaDirectory& arenas, const MatchHost& matches, HealthSignals* health,
                 std::string key_fingerprint);

  /// Publishes this tick's counts and the process gauges; `tick` is the
  /// process's tick count (CPU time is read once a second).
  void publish(const TickCounts& counts, std::uint64_t tick);
  /// Refreshes our registry entry (a no-op once draining).
  void heartbeat();
  /// Removes our registry entry (shutdown), after which heartbeats stop.
  void deregister();
  void log_scoreboard();

  ServerInfo registry_info() const;

 private:
  void publish_network();
  void publish_cpu();
  void publish_rtts();
  static void check_fleet_keys(Store& store, const ServerInfo& self, Metrics& m, std::atomic<int>& last);

  const Config& cfg_;
  Metrics& metrics_;
  net::NetWorker& net_;
  IoWorker& io_;
  const core::FixedStep& step_;
  const Clients& clients_;
  ArenaDirectory& arenas_;
  const MatchHost& matches_;
  HealthSignals* health_;
  std::string key_fingerprint_;
  std::uint32_t beats_ = 0;
  // The last fleet check's count of other keys, shared with the IoWorker
  // jobs (logged when it changes); -1 = not checked yet.
  std::shared_ptr<std::atomic<int>> fleet_mismatches_ = std::make_shared<std::atomic<int>>(-1);
  std::vector<std::uint32_t> rtt_scratch_;
  bool deregistered_ = false;
  net::HostTotals published_totals_{};
  net::QueueDrops published_drops_{};
  std::uint64_t published_send_failures_ = 0;
  std::uint64_t published_skipped_ = 0;
  double published_cpu_s_ = 0.0;
};

}  // namespace qbot::server
