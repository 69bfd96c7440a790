#pragma once
// Store on Redis (hiredis, synchronous). Key layout: docs/REDIS.md (every key
// under the configurable prefix, default "qbot:"). Multi-key changes are Lua
// scripts (server/store/lua/, embedded at build time), so any number of
// servers and matchmakers can share one Redis.
// Every value read back from Redis is treated as hostile: types, counts and
// numbers are checked, every record servers exchange carries the fleet's tag
// (record_seal.h), and a malformed, forged or wrong-typed entry is skipped
// (or repaired) and counted in health().
// Every call blocks on the network (up to the timeout): never the tick thread.
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>

#include "server/store/health_log.h"
#include "server/store/record_seal.h"
#include "server/store/redis_connection.h"
#include "server/store/redis_replies.h"
#include "server/store/store.h"

namespace qbot::server {

struct RedisOptions {
  std::string prefix = "qbot:";  // of every key (1..32 characters, checked by the configuration)
  std::chrono::milliseconds timeout{2000};
  /// token::record_key(fleet key): tags every record one server writes for
  /// another. Every store of one fleet needs the same.
  token::Key record_key{};
  /// Wall clock, ms since the Unix epoch: stamps registry entries (their
  /// tagged send time) and paces the primary re-check with sentinels.
  std::function<std::uint64_t()> unix_ms;
  /// A result counts as stored only once this many replicas have it (WAIT):
  /// with a replicated primary, 1 keeps a failover from losing a result
  /// whose journal file was already removed. 0 = the primary's reply suffices.
  std::uint32_t wait_replicas = 0;
};

class RedisStore final : public Store {
 public:
  RedisStore(RedisEndpoint endpoint, RedisOptions options);
  /// The results stream keeps only the newest `max_entries` results (0 = all):
  /// every XADD trims it (MAXLEN, exact). Consumers must keep up; ratings,
  /// bot stats and the idempotency markers are unaffected.
  void keep_results(std::size_t max_entries) { results_max_ = max_entries; }

  // Registry (redis_store.cpp)
  StoreResult<bool> heartbeat_server(const ServerInfo& info, std::uint32_t ttl_ms) override;
  StoreResult<bool> deregister_server(const std::string& id) override;
  StoreResult<std::vector<ServerInfo>> live_servers() override;
  StoreResult<RegistryView> registry_view() override;

  // Garage (redis_store_garage.cpp)
  StoreResult<BotRecord> create_bot(AccountId account, const BotRecord& bot, std::uint32_t max_bots) override;
  StoreResult<std::vector<BotRecord>> list_bots(AccountId account) override;
  StoreResult<BotRecord> update_bot(AccountId account, const BotRecord& bot) override;
  StoreResult<bool> delete_bot(AccountId account, std::uint32_t bot_id) override;

  // Tickets: the front door's side (redis_store_tickets.cpp)
  StoreResult<Ticket> enqueue(const Ticket& ticket, std::uint32_t ttl_ms) override;
  StoreResult<bool> cancel_ticket(AccountId account) override;
  StoreResult<bool> remove_ticket(AccountId account) override;
  StoreResult<std::vector<std::optional<TicketStatus>>> poll_tickets(std::span<const AccountId> accounts,
                                                                     std::uint32_t ttl_ms) override;

  // Matches: the matchmaker's and the hosting server's side (redis_store_matches.cpp)
  StoreResult<std::vector<Ticket>> waiting_tickets(const std::string& mode, const std::string& region,
                                                   std::size_t limit) override;
  StoreResult<MatchId> reserve_match_ids(std::uint32_t count) override;
  StoreResult<std::vector<bool>> assign_matches(std::span<const MatchAssignment> matches) override;
  StoreResult<std::vector<MatchAssignment>> take_matches(const std::string& server_id, std::size_t max) override;
  StoreResult<std::optional<MatchAssignment>> match(MatchId id) override;

  // Results and ratings (redis_store_results.cpp)
  StoreResult<Rating> rating(AccountId account) override;
  StoreResult<bool> submit_result(const MatchResult& result) override;
  StoreResult<std::vector<MatchResult>> results(std::size_t after, std::size_t count) override;
  std::string results_key() const { return prefix_ + "results"; }
  std::string result_marker_key(MatchId id) const { return prefix_ + "result:" + std::to_string(id); }
  std::string rating_key(AccountId account) const { return prefix_ + "rating:" + std::to_string(account); }
  /// submit_result attempts before it gives up with an Io error (the caller
  /// journals the result): each lost race means another server committed.
  static constexpr int kMaxSubmitAttempts = 20;
  /// Submit attempts redone because another result changed a player's
  /// rating between the read and the commit (contention, for logs/benchmarks).
  std::uint64_t result_retries() const { return result_retries_.load(); }

  std::string describe() const override { return url_description_; }
  StoreHealth health() const override { return health_.snapshot(); }

  /// Entries skipped (or replaced) because Redis held something we could
  /// not use: health()'s rejected_total().
  std::uint64_t malformed_entries() const { return health_.rejected_total(); }
  /// Round trips to Redis made so far (benchmarks report per-operation counts).
  std::uint64_t round_trips() const { return round_trips_.load(); }

  const std::string& prefix() const { return prefix_; }
  std::string server_key(const std::string& id) const { return prefix_ + "server:" + id; }
  std::string servers_key() const { return prefix_ + "servers"; }
  std::string pending_key(const std::string& id) const { return prefix_ + "pending:" + id; }
  std::string garage_key(AccountId account) const { return prefix_ + "garage:" + std::to_string(account); }
  /// Per-bot stats of an account: written by results, read by the garage.
  std::string botstats_key(AccountId account) const { return prefix_ + "botstats:" + std::to_string(account); }
  std::string ticket_key(AccountId account) const { return prefix_ + "ticket:" + std::to_string(account); }
  /// mode and region are checked (valid_mode / valid_region) before they get here.
  std::string queue_key(const std::string& mode, const std::string& region) const {
    return prefix_ + "queue:" + mode + ":" + region;
  }
  std::string inbox_key(const std::string& server_id) const { return prefix_ + "inbox:" + server_id; }
  std::string match_key(MatchId id) const { return prefix_ + "match:" + std::to_string(id); }
  /// A ticket's member in its queue: the account zero-padded to 20 digits, so
  /// that equal scores (same ms) order members by account, as MemoryStore does.
  static std::string queue_member(AccountId account);
  std::string match_ids_key() const { return prefix_ + "next_match_id"; }
  /// A registry entry's clock may be this far from Redis's and still count
  /// as live (its tagged send time is checked against Redis TIME).
  static constexpr std::uint64_t kMaxClockSkewMs = 10'000;
  /// Members of the live-servers set read per call (soonest expiry first).
  static constexpr std::size_t kMaxServers = 4096;
  /// Bounds what one call may ask of Redis (reply size, script time).
  static constexpr std::size_t kMaxBatch = std::size_t{1} << 20;

  // One round trip each, under the connection lock, counted in round_trips().
  // Fail as RedisConnection's (an Io error, or an error reply of Redis).
  core::Result<RedisReply, RedisError> run_script(const char* script, std::span<const std::string> keys,
                                                  std::span<const std::string> args);
  core::Result<RedisReply, RedisError> run_command(std::initializer_list<std::string_view> args);
  core::Result<std::vector<RedisReply>, RedisError> run_pipeline(const std::vector<std::vector<std::string>>& commands);

  template <class T>
  StoreResult<T> io_error(const RedisError& e) const {
    // An error reply (OOM, READONLY during a failover, LOADING, a key of the
    // wrong type) is the store's state, never the caller's argument: those
    // are checked before anything is sent. So it is Io, "try again later",
    // and a client hears Unavailable rather than that its input was wrong.
    return core::Err{StoreError{describe() + ": " + e.message, StoreError::Kind::Io}};
  }

  /// Counts the problems a script reply carries first (lua/prelude.lua), as
  /// records of `kind`; false (and counted) if the reply has no such list.
  bool note_problems(const RedisReply& r, RecordKind kind);
  void reject(RecordKind kind, std::string_view why) { health_.reject(kind, why); }

  std::string prefix_;
  std::string url_description_;
  RecordSeal seal_;
  std::function<std::uint64_t()> unix_ms_;
  std::uint32_t wait_replicas_ = 0;
  std::mutex mu_;  // one connection; the store may be shared by worker threads
  RedisConnection conn_;
  HealthLog health_;
  std::atomic<std::uint64_t> round_trips_{0};
  std::size_t results_max_ = 0;  // 0 = keep every result

  // Registry (redis_store.cpp)
  std::vector<std::string> registry_fields(const ServerInfo& info, std::uint32_t ttl_ms) const;
  enum class EntryVerdict : std::uint8_t { Live, Unverified, Dead };
  EntryVerdict judge_registry_entry(const replies::RegistryFields& entry, std::uint64_t now_ms);

  // Tickets and matches (redis_store_tickets.cpp, redis_store_matches.cpp)
  std::optional<TicketStatus> checked_status(AccountId account, const redisReply* entry);
  void remove_forged(const std::string& queue, const std::vector<std::string>& members);

  // Results and ratings (redis_store_results.cpp)
  struct RatingsRead;
  std::atomic<std::uint64_t> result_retries_{0};
  StoreResult<RatingsRead> read_ratings(const MatchResult& result, const std::string& digest);
  StoreResult<bool> confirm_replicated(const MatchResult& result, bool applied_now);
  // Results this store applied but WAIT did not confirm (the caller heard Io
  // and keeps them journaled): when one comes back and is found applied,
  // this store's own earlier write is being confirmed, so it counts as
  // applied, not as a duplicate. The oldest are forgotten beyond the bound
  // (then, like after a restart, a confirmation reads as a duplicate).
  static constexpr std::size_t kMaxUnconfirmed = 1024;
  std::mutex unconfirmed_mu_;
  std::deque<MatchId> unconfirmed_;
  void remember_unconfirmed(MatchId id);
  bool forget_unconfirmed(MatchId id);  // true if it was there
};

}  // namespace qbot::server
