#pragma once
// The matchmaker: turns waiting tickets into match assignments on live
// servers. Every server may run one, against the same Store, at the same
// time: correctness comes from Store::assign_matches, which claims all of a
// match's tickets atomically or none (a ticket another matchmaker claimed
// first makes that match a `conflict`, and its other tickets keep waiting).
//
// One pass (run_pass):
//   live_servers once -> for each region with a live server, for each mode:
//   waiting_tickets -> form_matches -> a server of that region with room
//   -> reserve_match_ids once for the whole pass -> sign a join token per
//   seat -> assign_matches once for the whole pass.
// Tickets of a region with no live server wait (and expire if nobody comes).
// Only servers holding our token key (equal key fingerprints in the
// registry) count as live: a server with another key would refuse every
// join token we sign, so it is skipped and named in an error log once.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/matchmaking/match_formation.h"
#include "server/store/store.h"
#include "token/token.h"

namespace qbot::server {

struct MatchmakerConfig {
  token::Key key{};  // signs join tokens (the fleet's shared secret)
  // Only servers whose registry entry carries this fingerprint of their token
  // key are given matches: any other could not verify our join tokens.
  // Empty: token::key_fingerprint(key).
  std::string key_fingerprint;
  std::uint64_t token_ttl_ms = 60'000;  // a join token expires this long after its match was made
  std::uint32_t arena_size = 8;         // players per arena: the largest match (rules_for_mode)
  std::vector<std::string> modes{"ffa", "tdm"};
  std::size_t fetch_limit = 20'000;  // waiting tickets read per queue and pass (oldest first)
};

struct PassStats {
  std::size_t queues = 0;            // (region, mode) queues read
  std::size_t tickets_seen = 0;      // waiting tickets read
  std::size_t matches_formed = 0;    // by form_matches
  std::size_t matches_assigned = 0;  // written by assign_matches
  std::size_t tickets_assigned = 0;  // seats of those
  std::size_t conflicts = 0;         // assign_matches refused: a ticket was taken (another matchmaker) or gone
  std::size_t no_room = 0;           // formed, but no live server of the region had room; the tickets wait
  std::size_t key_mismatches = 0;    // live servers skipped: their token key is not ours
  std::size_t store_errors = 0;      // store calls that failed (the rest of the pass goes on where it can)
  std::string first_error;           // message of the first of them, for the log

  PassStats& operator+=(const PassStats& o);
};

class Matchmaker {
 public:
  /// Modes without rules for `arena_size` (unknown, or an arena too small) are
  /// left out and logged once here.
  Matchmaker(Store& store, MatchmakerConfig config);

  /// One pass. `now_ms` is on the store's clock (the one that stamps
  /// Ticket::created_ms: how long tickets waited); `unix_ms` is wall time (match
  /// created_ms, token expiry: other servers check tokens against their clocks).
  PassStats run_pass(std::uint64_t now_ms, std::uint64_t unix_ms);

  const MatchmakerConfig& config() const { return config_; }

 private:
  /// The live servers that can verify our tokens; logs the others once each.
  std::vector<ServerInfo> same_key(std::vector<ServerInfo> live, PassStats& stats);

  Store& store_;
  MatchmakerConfig config_;
  std::vector<std::pair<std::string, FormationRules>> queues_;  // mode -> rules
  std::set<std::string> reported_mismatches_;                   // "id/fingerprint" already logged (bounded)
};

/// Runs Matchmaker::run_pass on its own thread every `interval` (±20 % random
/// jitter, so matchmakers on many servers do not hit Redis in lock-step) until
/// stop(). Logs each pass at debug and failed store calls at warn.
class MatchmakerLoop {
 public:
  using Clock = std::function<std::uint64_t()>;  // milliseconds

  MatchmakerLoop(Matchmaker& matchmaker, std::chrono::milliseconds interval, Clock store_now_ms, Clock unix_ms);
  ~MatchmakerLoop();
  MatchmakerLoop(const MatchmakerLoop&) = delete;
  MatchmakerLoop& operator=(const MatchmakerLoop&) = delete;

  /// Returns promptly: wakes the thread (even mid-wait) and joins it after the
  /// pass in progress, if any. Idempotent.
  void stop();
  /// Sum over all passes so far.
  PassStats totals() const;
  std::uint64_t passes() const;

 private:
  void run();

  Matchmaker& matchmaker_;
  std::chrono::milliseconds interval_;
  Clock store_now_ms_;
  Clock unix_ms_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable wake_;
  bool stopping_ = false;
  PassStats totals_;
  std::uint64_t passes_ = 0;
  std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace qbot::server
