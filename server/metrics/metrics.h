#pragma once
// Every metric family of qbot-server is declared here, once. Label values are
// from small closed sets (reasons, directions): never player or match ids.
#include <array>
#include <memory>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "net/datagram_gate.h"
#include "proto/codec.h"
#include "proto/messages.h"

namespace qbot::server {

class Metrics {
 public:
  explicit Metrics(prometheus::Registry& registry);

  prometheus::Histogram& tick_duration;  // seconds of work per tick
  prometheus::Gauge& tick_duration_max;  // longest tick since start, s
  prometheus::Counter& cpu_seconds;      // process CPU time (user + system)
  prometheus::Counter& ticks;
  prometheus::Counter& tick_overruns;    // ticks whose work exceeded the step
  prometheus::Counter& ticks_skipped;    // ticks dropped by the catch-up cap
  prometheus::Gauge& clients_connected;  // ENet peers (any state)
  prometheus::Gauge& players;            // welcomed players
  prometheus::Gauge& arenas;
  prometheus::Counter& connections;  // accepted ENet connections
  prometheus::Counter& packets_in;
  prometheus::Counter& packets_out;
  prometheus::Counter& bytes_in;  // UDP payload bytes (ENet's count)
  prometheus::Counter& bytes_out;
  prometheus::Counter& datagrams_in;
  prometheus::Counter& datagrams_out;
  prometheus::Counter& malformed_datagrams;  // raw UDP that is not ENet
  prometheus::Counter& rate_limited;         // packets dropped by the rate limiter
  prometheus::Counter& send_failures;        // ENet refused a packet
  // The queues between the tick and the network thread (net::QueueDrops).
  prometheus::Counter& net_dropped_inbox_packets;
  prometheus::Counter& net_refused_connects;
  prometheus::Counter& net_dropped_unreliable;
  prometheus::Counter& net_dropped_reliable;
  // The gate in front of ENet (net::DatagramGate, docs/SECURITY.md).
  prometheus::Gauge& net_half_open_peers;   // ENet peers still in the handshake
  prometheus::Gauge& net_unwelcomed_peers;  // peers not yet welcomed, half-open included
  prometheus::Counter& net_cookie_replies;  // connect cookies sent
  prometheus::Counter& inputs_applied;
  prometheus::Counter& inputs_dropped_duplicate;  // redundant copies / already applied
  prometheus::Counter& inputs_dropped_burst;      // copies beyond the burst allowance (a later one may fit)
  prometheus::Counter& inputs_lost;               // commands never applied (InputBuffer::lost)
  prometheus::Counter& inputs_late;               // taken after their tick (InputBuffer::late)
  prometheus::Counter& snapshots_full;
  prometheus::Counter& snapshots_delta;
  /// Store operations that failed, and hostile records they skipped, by
  /// operation (CountedStore's op names: a closed set).
  prometheus::Counter& store_error(std::string_view op);
  prometheus::Counter& store_jobs_dropped;  // store queue full
  prometheus::Counter& matches_finished;    // battles that reached Results
  prometheus::Counter& kills;               // bots destroyed in battles
  prometheus::Counter& replays_written;
  prometheus::Counter& replay_errors;    // replays that could not be written
  prometheus::Counter& reconnects;       // players who took their bot back
  prometheus::Counter& orphans_expired;  // dropped players whose grace period ran out
  // Lobby, matchmaking, results
  prometheus::Gauge& lobby_sessions;  // sessions in the lobby (garage / queue)
  prometheus::Gauge& queued_players;  // lobby sessions holding a ticket
  prometheus::Counter& garage_requests;
  prometheus::Counter& tickets_created;
  prometheus::Counter& tickets_assigned;   // MatchAssigned sent to a client of this server
  prometheus::Counter& matchmade_matches;  // matches this server took from its inbox to host
  prometheus::Counter& matchmaker_passes;
  prometheus::Counter& matchmaker_matches;                // matches this process's matchmaker assigned
  prometheus::Counter& matchmaker_conflicts;              // lost a race to another matchmaker (harmless)
  prometheus::Gauge& results_journaled;                   // results waiting in --journal-dir for the store
  prometheus::Counter& result(std::string_view outcome);  // applied | duplicate | journaled | dropped
  // Hosting: health (refreshed at each scrape), capacity, the fleet, Agones
  prometheus::Gauge& live;                         // 1 while a tick completed within the last few periods
  prometheus::Gauge& ready;                        // 1 while taking players (listening, store reachable, not draining)
  prometheus::Gauge& since_last_tick;              // s since the last completed tick
  prometheus::Gauge& draining;                     // 1 from the drain's start
  prometheus::Gauge& player_capacity;              // --max-clients
  prometheus::Gauge& tick_period;                  // s, 1 / --tick-rate: the tick's budget
  prometheus::Histogram& client_rtt;               // ENet's smoothed RTT, one sample per client per second
  prometheus::Gauge& fleet_key_mismatches;         // live servers in the registry whose token key differs from ours
  prometheus::Counter& matchmaker_key_mismatches;  // servers a pass skipped: their token key is not ours
  prometheus::Counter& agones(std::string_view result);  // ok | failed | dropped

  prometheus::Counter& decode_error(proto::DecodeErrorKind k) { return *decode_errors_[static_cast<std::size_t>(k)]; }
  prometheus::Counter& reject(proto::RejectReason r) { return *rejects_[static_cast<std::size_t>(r)]; }
  prometheus::Counter& net_dropped(net::DropReason r) { return *net_dropped_[static_cast<std::size_t>(r)]; }
  prometheus::Counter& net_cut(net::CutReason r) { return *net_cut_[static_cast<std::size_t>(r)]; }
  /// Dropped players not kept for a reconnect: never_played | per_ip | per_account | capacity.
  prometheus::Counter& reconnect_refused(std::string_view why);

 private:
  void register_gate(prometheus::Registry& r);

  std::array<prometheus::Counter*, proto::kDecodeErrorKindCount> decode_errors_{};
  std::array<prometheus::Counter*, proto::kRejectReasonCount> rejects_{};
  std::array<prometheus::Counter*, 4> results_{};
  std::array<prometheus::Counter*, 3> agones_{};
  std::array<prometheus::Counter*, static_cast<std::size_t>(net::DropReason::Count)> net_dropped_{};
  std::array<prometheus::Counter*, static_cast<std::size_t>(net::CutReason::Count)> net_cut_{};
  std::array<prometheus::Counter*, 4> reconnect_refused_{};
  prometheus::Family<prometheus::Counter>* store_errors_ = nullptr;
};

}  // namespace qbot::server
