#pragma once
// A Store that counts what goes wrong in every operation of another one and
// reports it, per operation: each call that fails with an Io error (Redis
// unreachable, timed out, or an error reply), and each hostile or broken
// record the call skipped or repaired (the inner store's StoreHealth grew).
// Normal answers (NotFound, Conflict, Limit) and the caller's own Invalid
// arguments are not failures of the store and are not counted.
//
// The report goes to a sink (the server turns it into
// qbot_store_errors_total{op} and a log line): every failure is counted,
// but a log line is due at most once per operation per `log_period_ms`, and
// carries how many failures of that operation went unlogged since the last
// one, so a Redis outage or one wrong-typed key cannot flood the log.
//
// Thread-safe as far as the inner store is; skipped records are attributed
// to the operation during which the inner store's count grew (with two
// threads calling at once, possibly to the other one's operation).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "server/store/log_throttle.h"
#include "server/store/store.h"

namespace qbot::server {

/// One report of CountedStore. `op` is the Store method's name (a closed
/// set: metric label values).
struct StoreFailure {
  std::string_view op;
  std::uint64_t count = 0;       // failures this report adds (1 for a failed call, n skipped records)
  std::string why;               // the error or the inner store's last problem (printable)
  bool log = false;              // a log line is due for this op
  std::uint64_t suppressed = 0;  // log: failures of this op not logged since its last line
};

/// Every `op` CountedStore reports (the Store methods), so a metric can
/// publish each at 0 before its first failure.
inline constexpr std::string_view kStoreOps[] =
    {"heartbeat_server", "deregister_server", "live_servers", "registry_view",   "create_bot",
     "list_bots",        "update_bot",        "delete_bot",   "rating",          "enqueue",
     "cancel_ticket",    "remove_ticket",     "poll_tickets", "waiting_tickets", "reserve_match_ids",
     "assign_matches",   "take_matches",      "match",        "submit_result",   "results"};

class CountedStore final : public Store {
 public:
  using Sink = std::function<void(const StoreFailure&)>;
  using Clock = std::function<std::uint64_t()>;  // ms, monotonic
  /// `inner` must not be null. `sink` is called on the calling thread,
  /// after the call returns.
  CountedStore(std::unique_ptr<Store> inner, Sink sink, Clock now_ms, std::uint64_t log_period_ms);

  Store& inner() { return *inner_; }

  StoreResult<bool> heartbeat_server(const ServerInfo& info, std::uint32_t ttl_ms) override;
  StoreResult<bool> deregister_server(const std::string& id) override;
  StoreResult<std::vector<ServerInfo>> live_servers() override;
  StoreResult<RegistryView> registry_view() override;
  StoreResult<BotRecord> create_bot(AccountId account, const BotRecord& bot, std::uint32_t max_bots) override;
  StoreResult<std::vector<BotRecord>> list_bots(AccountId account) override;
  StoreResult<BotRecord> update_bot(AccountId account, const BotRecord& bot) override;
  StoreResult<bool> delete_bot(AccountId account, std::uint32_t bot_id) override;
  StoreResult<Rating> rating(AccountId account) override;
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
  StoreResult<bool> submit_result(const MatchResult& result) override;
  StoreResult<std::vector<MatchResult>> results(std::size_t after, std::size_t count) override;
  std::string describe() const override { return inner_->describe(); }
  StoreHealth health() const override { return inner_->health(); }

 private:
  /// Runs `call` on the inner store and reports what went wrong in it.
  template <class Call>
  auto counted(std::string_view op, Call&& call) -> decltype(call()) {
    const std::uint64_t before = inner_->health().problems;
    auto r = call();
    if (!r && r.error().kind == StoreError::Kind::Io) report(op, 1, r.error().message);
    const StoreHealth after = inner_->health();
    if (after.problems > before) report(op, after.problems - before, after.last_problem);
    return r;
  }
  void report(std::string_view op, std::uint64_t count, std::string why);

  std::unique_ptr<Store> inner_;
  Sink sink_;
  Clock now_ms_;
  std::mutex mu_;  // guards throttle_
  LogThrottle throttle_;
};

}  // namespace qbot::server
