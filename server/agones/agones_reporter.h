#pragma once
// What the server tells Agones, decided on the tick loop (time is passed in,
// calls go to a sink that never blocks: AgonesSdk::post):
//   at construction   labels (region, protocol version) and the capacities
//                     of the `players` and `arenas` Counters
//   Ready             once the server is ready (listening, store reachable)
//   Health            every health period, only while ticks complete: a
//                     stuck tick stops the pings and Agones replaces the pod
//   Allocate          when players (or assigned seats) arrive: a busy server
//                     is neither scaled down nor replaced by a rolling update
//   Ready             again after idle_before_ready without anyone: the pod
//                     is back in the pool (Agones' reuse pattern)
//   Counters          players and arenas, when they change (at most once a second)
//   Shutdown          last, when the drain is over
// While draining, the allocation state is left as it is.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "server/agones/agones_calls.h"

namespace qbot::server {

struct AgonesSettings {
  std::string region;
  std::uint32_t protocol_version = 0;
  std::chrono::milliseconds health_period{1000};
  std::int64_t player_capacity = 0;  // the `players` Counter's capacity (--max-clients)
  std::int64_t arena_capacity = 0;   // the `arenas` Counter's capacity
  std::chrono::milliseconds idle_before_ready{30000};
  std::chrono::milliseconds counter_period{1000};
};

/// The server as one loop iteration sees it.
struct AgonesView {
  bool ready = false;     // /readyz says ready
  bool live = false;      // /healthz says live (a tick completed recently)
  bool draining = false;  // the drain has begun
  bool busy = false;      // players in arenas, hosted matches or seats assigned here
  std::uint32_t players = 0;
  std::uint32_t arenas = 0;
};

class AgonesReporter {
 public:
  using Nanos = std::chrono::nanoseconds;
  /// Returns false when the call was dropped (the reporter tries again later).
  using Sink = std::function<bool(AgonesCall)>;

  /// Posts the labels and the Counters' capacities.
  AgonesReporter(AgonesSettings settings, Sink sink);

  /// Call once per loop iteration, after the due ticks ran.
  void update(Nanos now, const AgonesView& view);
  /// Posts Shutdown; update() does nothing afterwards. Idempotent.
  void shutdown();

  enum class State : std::uint8_t { Starting, Ready, Allocated };
  State state() const { return state_; }

 private:
  void update_allocation(Nanos now, const AgonesView& view);
  void update_counters(Nanos now, const AgonesView& view);
  bool post(AgonesCall::Kind kind);
  bool post_count(const char* name, std::int64_t count, std::int64_t capacity);

  AgonesSettings settings_;
  Sink sink_;
  State state_ = State::Starting;
  std::optional<Nanos> next_health_;
  std::optional<Nanos> idle_since_;
  std::optional<Nanos> next_counters_;
  std::int64_t sent_players_ = -1;
  std::int64_t sent_arenas_ = -1;
  bool shut_down_ = false;
};

}  // namespace qbot::server
