#pragma once
// In-process Store: the embedded default for a single server with no Redis.
// Thread-safe (one mutex). Time comes from the injected clock (tests use
// virtual time). Same contract as RedisStore (test_store_contract*.cpp).
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "server/store/store.h"

namespace qbot::server {

class MemoryStore final : public Store {
 public:
  using Clock = std::function<std::chrono::milliseconds()>;
  explicit MemoryStore(Clock clock) : clock_(std::move(clock)) {}
  /// The results stream keeps only the newest `max_entries` results (0 = all),
  /// as RedisStore's XADD MAXLEN does. Ratings and idempotency are unaffected.
  void keep_results(std::size_t max_entries) { results_max_ = max_entries; }

  // Registry (memory_store.cpp)
  StoreResult<bool> heartbeat_server(const ServerInfo& info, std::uint32_t ttl_ms) override;
  StoreResult<bool> deregister_server(const std::string& id) override;
  StoreResult<std::vector<ServerInfo>> live_servers() override;

  // Garage (memory_store_garage.cpp)
  StoreResult<BotRecord> create_bot(AccountId account, const BotRecord& bot, std::uint32_t max_bots) override;
  StoreResult<std::vector<BotRecord>> list_bots(AccountId account) override;
  StoreResult<BotRecord> update_bot(AccountId account, const BotRecord& bot) override;
  StoreResult<bool> delete_bot(AccountId account, std::uint32_t bot_id) override;

  // Tickets and matchmaking (memory_store_tickets.cpp)
  StoreResult<Ticket> enqueue(const Ticket& ticket, std::uint32_t ttl_ms) override;
  StoreResult<bool> cancel_ticket(AccountId account) override;
  StoreResult<bool> remove_ticket(AccountId account) override;
  StoreResult<std::vector<std::optional<TicketStatus>>> poll_tickets(std::span<const AccountId> accounts,
                                                                     std::uint32_t ttl_ms) override;
  StoreResult<std::vector<Ticket>> waiting_tickets(const std::string& mode, const std::string& region,
                                                   std::size_t limit) override;
  StoreResult<MatchId> reserve_match_ids(std::uint32_t count) override;
  StoreResult<std::vector<bool>> assign_matches(std::span<const MatchAssignment> matches) override;
  StoreResult<std::vector<MatchAssignment>> take_matches(const std::string& server_id, std::size_t max) override;
  StoreResult<std::optional<MatchAssignment>> match(MatchId id) override;

  // Results and ratings (memory_store_results.cpp)
  StoreResult<Rating> rating(AccountId account) override;
  StoreResult<bool> submit_result(const MatchResult& result) override;
  StoreResult<std::vector<MatchResult>> results(std::size_t after, std::size_t count) override;

  std::string describe() const override { return "memory"; }

 private:
  Clock clock_;
  std::mutex mu_;  // guards everything below

  // Registry
  struct ServerEntry {
    ServerInfo info;
    std::chrono::milliseconds expires{0};
  };
  std::map<std::string, ServerEntry> servers_;

  // Garage
  struct Garage {
    std::uint32_t next_bot_id = 1;
    std::map<std::uint32_t, BotRecord> bots;
  };
  std::map<AccountId, Garage> garages_;

  // Tickets and matchmaking
  struct TicketEntry {
    Ticket ticket;
    TicketStatus status;  // state and (when assigned) the assignment
    std::chrono::milliseconds expires{0};
  };
  std::map<AccountId, TicketEntry> tickets_;
  using QueueKey = std::pair<std::string, std::string>;  // mode, region
  // Waiting tickets of each queue, oldest first: (created ms, account).
  std::map<QueueKey, std::set<std::pair<std::uint64_t, AccountId>>> queues_;
  struct MatchEntry {
    MatchAssignment record;
    std::chrono::milliseconds expires{0};  // kept as long as RedisStore keeps it
  };
  std::map<MatchId, MatchEntry> matches_;
  std::map<std::string, std::deque<MatchId>> inboxes_;  // server id -> match ids to host
  struct PendingSeats {
    std::uint32_t seats = 0;
    std::chrono::milliseconds deadline{0};
  };
  std::map<std::string, std::map<MatchId, PendingSeats>> pending_;  // server id -> seats not yet counted
  MatchId next_match_id_ = 1;
  void expire_tickets(std::chrono::milliseconds now);  // with mu_ held
  /// Erases the ticket and, if it is waiting, its queue entry (mu_ held).
  void erase_ticket(std::map<AccountId, TicketEntry>::iterator it);

  // Results and ratings
  std::map<AccountId, Rating> ratings_;
  std::deque<MatchResult> results_;
  std::size_t results_max_ = 0;                     // 0 = keep every result
  std::map<MatchId, std::string> applied_results_;  // the encoded result applied under each id
};

}  // namespace qbot::server
