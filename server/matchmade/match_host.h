#pragma once
// The matchmade matches this server hosts, from assignment to result: reads
// its inbox in the Store, opens an arena per match, admits the players whose
// join tokens name it, starts a match with whoever came, closes it after its
// one battle, and hands the result to the store (journaled on disk while the
// store is down, redelivered later). Runs on the tick thread; every Store
// call and disk write goes through the IoWorker, so nothing here blocks.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "server/arena/arena_directory.h"
#include "server/clients/clients.h"
#include "server/config.h"
#include "server/io/io_worker.h"
#include "server/matchmade/hosted_matches.h"
#include "server/metrics/metrics.h"
#include "server/results/result_delivery.h"
#include "server/results/result_journal.h"

namespace qbot::server {

class MatchHost {
 public:
  using Nanos = std::chrono::nanoseconds;
  using Clock = std::function<Nanos()>;
  using UnixClock = std::function<std::uint64_t()>;

  /// Everything passed in must outlive this object.
  MatchHost(const Config& cfg, Clients& clients, ArenaDirectory& arenas, IoWorker& io, Metrics& metrics,
            const sim::Catalog& catalog, const token::Key& key, Clock clock, UnixClock unix_ms);

  /// A Hello with a join token. A token for a match not (yet) in our inbox
  /// parks the session for a few seconds (Clients::expire refuses it with
  /// WrongMatch at the deadline); every other refusal is a Reject.
  void admit_join(Session& s, std::span<const std::uint8_t> token, Nanos now);

  /// About ten times a second: reads the inbox, starts matches whose join
  /// deadline passed with whoever came, closes finished or abandoned ones,
  /// and posts results the IoWorker's queue could not take yet.
  void tend(Nanos now);
  /// Submits results a previous run (or an unreachable store) left in the journal.
  void redeliver();
  /// A matchmade arena's battle ended: its result goes to the store.
  void report_result(const Arena& arena, const proto::MatchEnded& ended);

  /// Shutdown: no more inbox reads; results still waiting for the IoWorker's
  /// queue are posted, or journaled to disk if it stays full.
  void stop_hosting();
  void keep_unsent_results();

  /// The drain may end: no match hosted, no result waiting to be posted,
  /// delivered or redelivered from the journal, no inbox read in flight.
  bool settled() const;
  std::size_t hosted_count() const { return hosted_.all().size(); }

  /// Seats assigned here that nobody has taken yet (the registry counts them as used).
  std::uint32_t open_seats() const { return hosted_.open_seats(); }
  /// Ids of the matches hosted now (their seats are counted by our heartbeat).
  std::vector<MatchId> hosted_ids() const;

 private:
  void poll_inbox();
  void host(std::vector<MatchAssignment>& matches, Nanos now);
  void retry_parked_joins(Nanos now);
  void start_or_abandon(HostedMatch& hosted, Arena& arena, Nanos now, std::vector<ArenaId>& finished);
  void close(Arena& arena, Nanos now);
  void post_results();
  void submit_saved(const std::shared_ptr<MatchResult>& result, bool in_journal);
  void count(const DeliveryCounts& c);

  const Config& cfg_;
  Clients& clients_;
  ArenaDirectory& arenas_;
  IoWorker& io_;
  Metrics& metrics_;
  const sim::Catalog& catalog_;
  Clock clock_;
  UnixClock unix_ms_;
  HostedMatches hosted_;
  std::unique_ptr<ResultJournal> journal_;   // used on the IoWorker thread only
  std::vector<MatchResult> unsent_results_;  // the IoWorker's queue was full; posted again at the next tend
  bool inbox_in_flight_ = false;
  bool redelivery_in_flight_ = false;
  std::size_t deliveries_in_flight_ = 0;  // results posted to the IoWorker, answer not back yet
  std::size_t journaled_ = 0;             // results in the journal, as the last delivery or redelivery saw it
  bool stopped_ = false;
};

}  // namespace qbot::server
