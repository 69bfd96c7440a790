#pragma once
// Counters one fleet shard publishes for the reporter thread. Counters are
// atomics; histograms are guarded by a mutex and swapped out each second.
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

#include "core/histogram.h"
#include "proto/messages.h"

namespace qbot::client {

struct ShardStats {
  std::atomic<std::uint64_t> started{0};           // bots that began connecting (ramp progress)
  std::atomic<std::uint64_t> rejoins{0};           // churn bots that left and connected again
  std::atomic<std::uint64_t> welcomed{0};          // bots that completed the handshake
  std::atomic<std::uint64_t> failed{0};            // bots that never got in
  std::atomic<std::uint64_t> playing{0};           // bots currently in a match
  std::atomic<std::uint64_t> disconnects{0};       // dropped after Welcome
  std::atomic<std::uint64_t> snapshots{0};         // snapshots decoded
  std::atomic<std::uint64_t> snapshot_errors{0};   // undecodable snapshots
  std::atomic<std::uint64_t> baseline_missing{0};  // delta against a frame we lack
  std::atomic<std::uint64_t> inputs_sent{0};
  std::atomic<std::uint64_t> kills{0};                     // kill-feed entries naming one of our bots
  std::atomic<std::uint64_t> matches_ended{0};             // MatchEnded events received (per bot)
  std::atomic<std::uint64_t> match_results_duplicated{0};  // a MatchEnded seen twice (must stay 0)
  std::atomic<std::uint64_t> matches_played{0};            // --queue: matchmade matches finished (MatchEnded seen)
  std::atomic<std::uint64_t> queue_refusals{0};            // --queue: QueueStatus Refused / Expired (then requeued)
  std::atomic<std::uint64_t> front_door_losses{0};         // --queue: the front door dropped us in the lobby; next one
  std::atomic<std::uint64_t> bots_recreated{0};            // --queue: garage bot gone after a refusal, built again
  std::atomic<std::uint64_t> done{0};                      // --queue: bots that played all their --matches
  std::atomic<std::uint64_t> inputs_dropped{0};            // commands the server never applied, per its Snapshots
  std::atomic<std::uint64_t> input_stalls{0};              // --stall-ms: stalls played (no sends for that long)
  std::atomic<std::uint64_t> bytes_down{0};                // UDP payload bytes (ENet count)
  std::atomic<std::uint64_t> bytes_up{0};
  std::array<std::atomic<std::uint64_t>, proto::kRejectReasonCount> rejects{};

  std::mutex mu;
  core::Histogram rtt_ms_window;  // since the last progress line
  core::Histogram rtt_ms_total;
  core::Histogram prediction_error_mm;  // own bot: predicted vs server position per acked command
  core::Histogram snapshot_gap_ms;      // time between consecutive snapshots of one bot
  core::Histogram time_to_match_ms;     // --queue: QueueRequest sent -> MatchAssigned received
  core::Histogram input_queue;          // Snapshot.input_queue: our commands waiting on the server
  core::Histogram estimated_wait_ms;    // --queue: estimated_wait_ms of the first Waiting status per queueing
};

}  // namespace qbot::client
