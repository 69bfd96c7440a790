#include "server/metrics/metrics.h"

#include <string>

namespace qbot::server {
namespace {
using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Registry;

prometheus::Counter& counter(Registry& r, const std::string& name, const std::string& help) {
  return BuildCounter().Name(name).Help(help).Register(r).Add({});
}
prometheus::Gauge& gauge(Registry& r, const std::string& name, const std::string& help) {
  return BuildGauge().Name(name).Help(help).Register(r).Add({});
}
// The registry merges families by name, so each label value can be added
// through its own call.
prometheus::Counter& labelled(Registry& r, const std::string& name, const std::string& help, const std::string& label,
                              const std::string& value) {
  return BuildCounter().Name(name).Help(help).Register(r).Add({{label, value}});
}
constexpr const char* kNetQueueHelp =
    "Dropped by the bounded queues between the tick and the network thread (one side stalled)";
constexpr std::string_view kResultOutcomes[] = {"applied", "duplicate", "journaled", "dropped"};
constexpr std::string_view kAgonesResults[] = {"ok", "failed", "dropped"};
prometheus::Histogram& histogram(Registry& r, const std::string& name, const std::string& help,
                                 prometheus::Histogram::BucketBoundaries buckets) {
  return BuildHistogram().Name(name).Help(help).Register(r).Add({}, std::move(buckets));
}
constexpr std::string_view kReconnectRefusals[] = {"never_played", "per_ip", "per_account", "capacity"};
}  // namespace

Metrics::Metrics(Registry& r)
    : tick_duration(
          BuildHistogram()
              .Name("qbot_tick_duration_seconds")
              .Help("Wall time spent simulating and sending one tick")
              .Register(r)
              .Add({}, prometheus::Histogram::BucketBoundaries{0.00005, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015,
                                                               0.002,   0.0025, 0.003,   0.0035, 0.004,   0.005, 0.006,
                                                               0.008,   0.012,  0.016,   0.033,  0.066,   0.1})),
      tick_duration_max(gauge(r, "qbot_tick_duration_max_seconds", "Longest tick since the process started")),
      cpu_seconds(counter(r, "qbot_process_cpu_seconds_total", "CPU time of the server process, user + system")),
      ticks(counter(r, "qbot_ticks_total", "Simulation ticks run")),
      tick_overruns(counter(r, "qbot_tick_overruns_total", "Ticks whose work took longer than one tick period")),
      ticks_skipped(counter(r, "qbot_ticks_skipped_total", "Ticks dropped because the loop fell too far behind")),
      clients_connected(gauge(r, "qbot_clients_connected", "Connected ENet peers, in any session state")),
      players(gauge(r, "qbot_players", "Players past the handshake")),
      arenas(gauge(r, "qbot_arenas", "Open arenas")),
      connections(counter(r, "qbot_connections_total", "ENet connections accepted")),
      packets_in(labelled(r, "qbot_packets_total", "Application packets", "direction", "in")),
      packets_out(labelled(r, "qbot_packets_total", "Application packets", "direction", "out")),
      bytes_in(labelled(r, "qbot_net_bytes_total", "UDP payload bytes (as counted by ENet)", "direction", "in")),
      bytes_out(labelled(r, "qbot_net_bytes_total", "UDP payload bytes (as counted by ENet)", "direction", "out")),
      datagrams_in(labelled(r, "qbot_net_datagrams_total", "UDP datagrams", "direction", "in")),
      datagrams_out(labelled(r, "qbot_net_datagrams_total", "UDP datagrams", "direction", "out")),
      malformed_datagrams(
          counter(r, "qbot_net_malformed_datagrams_total", "Received UDP datagrams that are not well-formed ENet")),
      rate_limited(counter(r, "qbot_rate_limited_packets_total", "Client packets dropped by the rate limiter")),
      send_failures(counter(r, "qbot_send_failures_total", "Packets ENet refused to queue")),
      net_dropped_inbox_packets(labelled(r, "qbot_net_queue_dropped_total", kNetQueueHelp, "what", "inbox_packets")),
      net_refused_connects(labelled(r, "qbot_net_queue_dropped_total", kNetQueueHelp, "what", "refused_connects")),
      net_dropped_unreliable(labelled(r, "qbot_net_queue_dropped_total", kNetQueueHelp, "what", "outbox_unreliable")),
      net_dropped_reliable(labelled(r, "qbot_net_queue_dropped_total", kNetQueueHelp, "what", "outbox_reliable")),
      net_half_open_peers(gauge(r, "qbot_net_half_open_peers", "ENet peers whose handshake is not complete")),
      net_unwelcomed_peers(
          gauge(r, "qbot_net_unwelcomed_peers", "ENet peers not yet welcomed by the server (half-open included)")),
      net_cookie_replies(counter(r, "qbot_net_cookie_replies_total", "Connect cookies sent (answers to requests)")),
      inputs_applied(counter(r, "qbot_inputs_applied_total", "Input commands applied to the simulation")),
      inputs_dropped_duplicate(
          labelled(r, "qbot_inputs_dropped_total", "Input commands not applied", "reason", "duplicate")),
      inputs_dropped_burst(labelled(r, "qbot_inputs_dropped_total", "Input commands not applied", "reason", "burst")),
      inputs_lost(counter(r, "qbot_inputs_lost_total",
                          "Input commands never applied: skipped for good (refused or lost, then out of the redundancy "
                          "window)")),
      inputs_late(counter(r, "qbot_inputs_late_total",
                          "Input commands taken after their tick: applied a tick late or folded into the next "
                          "(module press kept)")),
      snapshots_full(labelled(r, "qbot_snapshots_sent_total", "Snapshots sent", "kind", "full")),
      snapshots_delta(labelled(r, "qbot_snapshots_sent_total", "Snapshots sent", "kind", "delta")),
      store_jobs_dropped(
          counter(r, "qbot_store_jobs_dropped_total",
                  "IO jobs (store calls, disk writes) refused because the IO worker had its limit of jobs in flight")),
      matches_finished(
          counter(r, "qbot_matches_finished_total", "Battles that ended (time, score or too few players)")),
      kills(counter(r, "qbot_kills_total", "Bots destroyed in battles")),
      replays_written(counter(r, "qbot_replays_written_total", "Battle replays written to --record-dir")),
      replay_errors(counter(r, "qbot_replay_errors_total", "Battle replays that could not be written")),
      reconnects(counter(r, "qbot_reconnects_total", "Players who reconnected and took their bot back")),
      orphans_expired(counter(r, "qbot_orphans_expired_total",
                              "Dropped players whose reconnect grace period ran out (slot freed)")),
      lobby_sessions(gauge(r, "qbot_lobby_sessions", "Sessions in the lobby (garage and matchmaking queue)")),
      queued_players(gauge(r, "qbot_queued_players", "Lobby sessions holding a matchmaking ticket")),
      garage_requests(counter(r, "qbot_garage_requests_total", "Garage requests answered")),
      tickets_created(
          counter(r, "qbot_tickets_created_total", "Matchmaking tickets created for clients of this server")),
      tickets_assigned(counter(r, "qbot_tickets_assigned_total", "MatchAssigned sent to clients of this server")),
      matchmade_matches(counter(r, "qbot_matchmade_matches_total", "Matchmade matches this server took on to host")),
      matchmaker_passes(counter(r, "qbot_matchmaker_passes_total", "Matchmaking passes run by this process")),
      matchmaker_matches(counter(r, "qbot_matchmaker_matches_total", "Matches assigned by this process's matchmaker")),
      matchmaker_conflicts(
          counter(r, "qbot_matchmaker_conflicts_total", "Formed matches another matchmaker claimed first (harmless)")),
      results_journaled(gauge(r, "qbot_results_journaled", "Match results waiting in --journal-dir for the store")),
      live(gauge(r, "qbot_live", "1 while a tick completed within the last few tick periods (as /healthz)")),
      ready(gauge(r, "qbot_ready", "1 while taking players: listening, store reachable, not draining (as /readyz)")),
      since_last_tick(gauge(r, "qbot_last_tick_age_seconds", "Seconds since the last completed tick, at scrape")),
      draining(gauge(r, "qbot_draining", "1 once the server is draining (SIGTERM or an Agones shutdown)")),
      player_capacity(gauge(r, "qbot_player_capacity", "Players this server takes (--max-clients)")),
      tick_period(gauge(r, "qbot_tick_period_seconds", "One tick period (1 / --tick-rate): the tick's time budget")),
      client_rtt(histogram(r, "qbot_client_rtt_seconds",
                           "ENet's smoothed round-trip time of each connected client, sampled once a second",
                           {0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5, 1})),
      fleet_key_mismatches(gauge(r, "qbot_fleet_key_mismatches",
                                 "Live servers in the registry whose token key fingerprint differs from ours")),
      matchmaker_key_mismatches(
          counter(r, "qbot_matchmaker_key_mismatches_total",
                  "Live servers a matchmaking pass skipped because their token key differs (no match can be hosted)")) {
  auto& decode = BuildCounter().Name("qbot_decode_errors_total").Help("Packets that failed decoding").Register(r);
  for (std::size_t i = 0; i < decode_errors_.size(); ++i) {
    decode_errors_[i] =
        &decode.Add({{"kind", std::string(proto::decode_error_name(static_cast<proto::DecodeErrorKind>(i)))}});
  }
  auto& rejects = BuildCounter()
                      .Name("qbot_rejects_total")
                      .Help("Refusals by reason (Reject sent or, before Welcome, only the disconnect code)")
                      .Register(r);
  for (std::size_t i = 0; i < rejects_.size(); ++i) {
    rejects_[i] =
        &rejects.Add({{"reason", std::string(proto::reject_reason_name(static_cast<proto::RejectReason>(i)))}});
  }
  auto& results =
      BuildCounter()
          .Name("qbot_match_results_total")
          .Help(
              "Matchmade results by what the store did: applied, duplicate, journaled (store down), dropped (invalid)")
          .Register(r);
  for (std::size_t i = 0; i < results_.size(); ++i)
    results_[i] = &results.Add({{"outcome", std::string(kResultOutcomes[i])}});
  store_errors_ = &BuildCounter()
                       .Name("qbot_store_errors_total")
                       .Help("Store (Redis) operations that failed, and hostile records they skipped, by operation")
                       .Register(r);
  auto& agones = BuildCounter()
                     .Name("qbot_agones_requests_total")
                     .Help("Calls to the Agones SDK sidecar: ok, failed (after retries), dropped (its queue was full)")
                     .Register(r);
  for (std::size_t i = 0; i < agones_.size(); ++i)
    agones_[i] = &agones.Add({{"result", std::string(kAgonesResults[i])}});
  register_gate(r);
}

void Metrics::register_gate(Registry& r) {
  auto& dropped = BuildCounter()
                      .Name("qbot_net_dropped_datagrams_total")
                      .Help("Datagrams dropped before ENet parsed them, by reason (docs/SECURITY.md)")
                      .Register(r);
  for (std::size_t i = 0; i < net_dropped_.size(); ++i) {
    net_dropped_[i] = &dropped.Add({{"reason", net::drop_reason_name(static_cast<net::DropReason>(i))}});
  }
  auto& cut = BuildCounter()
                  .Name("qbot_net_peers_cut_total")
                  .Help("ENet peers the server cut loose, by reason (docs/SECURITY.md)")
                  .Register(r);
  for (std::size_t i = 0; i < net_cut_.size(); ++i) {
    net_cut_[i] = &cut.Add({{"reason", net::cut_reason_name(static_cast<net::CutReason>(i))}});
  }
  auto& refused = BuildCounter()
                      .Name("qbot_reconnect_refused_total")
                      .Help(
                          "Dropped players not kept for a reconnect: never played, the address's or account's "
                          "parked players, or the server near capacity")
                      .Register(r);
  for (std::size_t i = 0; i < reconnect_refused_.size(); ++i) {
    reconnect_refused_[i] = &refused.Add({{"reason", std::string(kReconnectRefusals[i])}});
  }
}

prometheus::Counter& Metrics::reconnect_refused(std::string_view why) {
  for (std::size_t i = 0; i < reconnect_refused_.size(); ++i) {
    if (kReconnectRefusals[i] == why) return *reconnect_refused_[i];
  }
  return *reconnect_refused_.front();
}

prometheus::Counter& Metrics::result(std::string_view outcome) {
  for (std::size_t i = 0; i < results_.size(); ++i) {
    if (kResultOutcomes[i] == outcome) return *results_[i];
  }
  return *results_.back();  // "dropped": an unknown outcome is a bug, not a crash
}

prometheus::Counter& Metrics::agones(std::string_view result) {
  for (std::size_t i = 0; i < agones_.size(); ++i) {
    if (kAgonesResults[i] == result) return *agones_[i];
  }
  return *agones_[1];  // "failed"
}

prometheus::Counter& Metrics::store_error(std::string_view op) {
  // Family::Add is thread-safe and returns the existing child for a known op.
  return store_errors_->Add({{"op", std::string(op)}});
}

}  // namespace qbot::server
