#pragma once
// Many bots in one process. The fleet is split into shards; each shard is a
// thread with its own ENet client host (at most 4095 peers per host, and one
// host belongs to one thread), its own tick clock, and its own stats.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client_headless/fleet_stats.h"
#include "core/result.h"
#include "net/address.h"
#include "proto/messages.h"
#include "sim/catalog.h"
#include "sim/map.h"

namespace qbot::client {

using Clock = std::function<std::chrono::nanoseconds()>;

/// What a bot does once in: stand still, fight, or fight and keep leaving
/// and rejoining (connection churn).
enum class Role : std::uint8_t { Idle, Fight, Churn };

/// --mix weights, in percent of the fleet.
struct RoleMix {
  std::uint32_t idle = 0;
  std::uint32_t fight = 100;
  std::uint32_t churn = 0;
  /// Role of bot `index`: spread evenly through the fleet, deterministic.
  Role role_of(std::uint32_t index) const;
};
/// Parses "idle:20,fight:70,churn:10" (weights, any sum > 0).
core::Result<RoleMix, std::string> parse_mix(const std::string& text);

/// --queue: bots go through the matchmaker instead of joining directly.
struct QueuePlan {
  bool enabled = false;
  proto::GameMode mode = proto::GameMode::FreeForAll;
  std::string region;         // empty = the front door's region
  std::uint32_t matches = 1;  // play this many matches, then stop
  // Every front door (--server's list). A bot whose front door drops it in
  // the lobby (that server died or drained) moves to the next one.
  std::vector<net::Endpoint> front_doors;
};

/// --stall-ms: every bot stops sending inputs for `length`, once, `after`
/// its first Welcome, then resumes (paced, or with catch_up as a burst of
/// the missed commands, as a naive client would).
struct StallPlan {
  std::chrono::milliseconds after{0};
  std::chrono::milliseconds length{0};  // 0 = no stall
  bool catch_up = false;
};

struct FleetConfig {
  std::vector<net::Endpoint> servers;  // bot i plays on servers[i % size]
  std::uint32_t bots = 1;
  double ramp_per_s = 0;  // bots started per second (0 = all at once)
  RoleMix mix;
  std::uint32_t threads = 1;
  std::uint32_t tick_rate = 60;  // until the server's Welcome says otherwise
  std::chrono::milliseconds handshake_timeout{10000};
  std::uint64_t seed = 1;
  std::string name_prefix = "bot";
  bool compress = false;
  sim::Catalog catalog;        // parts the bots build random loadouts from
  std::vector<sim::Map> maps;  // known maps (sizes for wandering)
  QueuePlan queue;             // servers[] are then the front doors
  StallPlan stall;
};

/// Sum over all shards at one moment.
struct FleetTotals {
  std::uint64_t started = 0, welcomed = 0, failed = 0, playing = 0, disconnects = 0, rejoins = 0;
  std::uint64_t snapshots = 0, snapshot_errors = 0, baseline_missing = 0, inputs_sent = 0;
  std::uint64_t kills = 0, matches_ended = 0, match_results_duplicated = 0;
  std::uint64_t matches_played = 0, queue_refusals = 0, bots_recreated = 0, front_door_losses = 0, done = 0;
  std::uint64_t inputs_dropped = 0, input_stalls = 0;
  std::uint64_t bytes_down = 0, bytes_up = 0;
  std::array<std::uint64_t, proto::kRejectReasonCount> rejects{};
  core::Histogram rtt_ms_window;  // drained by totals(true)
  core::Histogram rtt_ms_total;
  core::Histogram prediction_error_mm;
  core::Histogram snapshot_gap_ms;
  core::Histogram time_to_match_ms;
  core::Histogram input_queue;
  core::Histogram estimated_wait_ms;
};

class Fleet {
 public:
  Fleet(FleetConfig cfg, Clock clock);
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  void start();
  /// Disconnects every bot politely and joins the shard threads.
  void stop();
  /// Current totals; `drain_window` resets the per-second RTT window.
  FleetTotals totals(bool drain_window);
  /// True once every bot has either been welcomed or failed.
  bool settled();
  /// --queue: true once every bot has played its matches or failed.
  bool finished();

 private:
  struct Shard;
  void run_shard(Shard& shard);

  FleetConfig cfg_;
  Clock clock_;
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::thread> threads_;
};

}  // namespace qbot::client
