#pragma once
// The lobby of one server: the garage and the matchmaking queue of the
// clients connected here (the "front door"). Every Store call runs on the
// IoWorker; answers come back through IoWorker::run_completions() on
// the tick thread, which is the only thread that touches this object.
//
// Queue lifecycle per session: QueueRequest -> (store: check bot, rating,
// enqueue) -> Waiting, refreshed every poll period (one poll_tickets round
// trip for all queued sessions; the refresh keeps the ticket alive) ->
// Assigned: MatchAssigned to the client, ticket removed. A client that
// leaves cancels its ticket; one that vanishes stops refreshing it and the
// ticket expires after --ticket-ttl-ms.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "proto/messages.h"
#include "server/io/io_worker.h"
#include "server/matchmaking/match_formation.h"
#include "server/matchmaking/wait_estimator.h"
#include "server/metrics/metrics.h"
#include "server/store/store_types.h"
#include "sim/catalog.h"

namespace qbot::server {

struct LobbyConfig {
  std::string server_id;
  std::string region;  // default region of QueueRequests
  std::uint32_t max_bots = 8;
  std::uint32_t ticket_ttl_ms = 10000;
  std::uint32_t poll_ms = 500;
  std::size_t max_requests_in_flight = 4;                            // per session; more are answered Busy
  std::uint64_t fill_timeout_ms = FormationRules{}.fill_timeout_ms;  // wait estimate of a queue without history
};

class Lobby {
 public:
  using Send = std::function<void(SessionId, const proto::Message&)>;

  Lobby(LobbyConfig cfg, IoWorker& worker, const sim::Catalog& catalog, Metrics& metrics, Send send);

  void on_garage(SessionId session, AccountId account, const proto::GarageRequest& req);
  void on_queue(SessionId session, AccountId account, const proto::QueueRequest& req);
  void on_cancel(SessionId session, AccountId account);
  /// The session is gone: its ticket (if waiting) is cancelled.
  void on_leave(SessionId session, AccountId account);
  /// Call every tick: refreshes tickets and reports every `poll_ms`.
  void tick(std::uint64_t now_ms);

  std::size_t queued() const { return queue_.size(); }

 private:
  enum class Phase : std::uint8_t { Enqueuing, Waiting };
  struct Queued {
    SessionId session = 0;
    Phase phase = Phase::Enqueuing;
    bool cancel_requested = false;  // CancelQueue arrived while enqueuing
    std::string queue;              // "mode/region": the wait estimate's key
    proto::GameMode mode = proto::GameMode::FreeForAll;
  };

  bool admit_request(SessionId session);
  void finish_request(SessionId session);
  void refuse_queue(SessionId session, std::string text);
  void post_poll(std::uint64_t now_ms);
  void on_polled(const std::vector<AccountId>& accounts, StoreResult<std::vector<std::optional<TicketStatus>>>& polled,
                 std::uint64_t now_ms);
  void cancel_in_store(AccountId account, SessionId session, bool tell_client);

  LobbyConfig cfg_;
  IoWorker& worker_;
  const sim::Catalog& catalog_;
  Metrics& metrics_;
  Send send_;
  std::map<AccountId, Queued> queue_;
  std::map<SessionId, std::size_t> in_flight_;
  WaitEstimator waits_;  // per queue: recent times to match
  std::uint64_t next_poll_ms_ = 0;
  bool poll_in_flight_ = false;
};

/// Store errors as the garage status a client can act on.
proto::GarageStatus garage_status(const StoreError& e);

}  // namespace qbot::server
