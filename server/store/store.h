#pragma once
// The Store: everything that outlives one process: the server registry,
// player garages and ratings, matchmaking tickets and queues, match
// assignments and match results. Two implementations pass one contract test
// suite: RedisStore (a fleet; key layout in docs/REDIS.md) and MemoryStore
// (one process, no Redis). Calls block: only IoWorker / matchmaker threads
// call them, never the tick thread.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/store/store_types.h"

namespace qbot::server {

class Store {
 public:
  virtual ~Store() = default;

  // ---- Server registry ----------------------------------------------------
  /// Creates or refreshes the entry; it expires `ttl_ms` after this call
  /// unless refreshed again.
  virtual StoreResult<bool> heartbeat_server(const ServerInfo& info, std::uint32_t ttl_ms) = 0;
  /// Removes the entry now (graceful shutdown). True if it existed.
  virtual StoreResult<bool> deregister_server(const std::string& id) = 0;
  /// Servers whose entries have not expired, ascending id.
  virtual StoreResult<std::vector<ServerInfo>> live_servers() = 0;
  /// live_servers and, apart, the live entries whose tag does not verify
  /// (a store without tags has none). For the fleet-key check only: an
  /// unverified entry is never a server to use. Fails as live_servers.
  virtual StoreResult<RegistryView> registry_view() {
    auto live = live_servers();
    if (!live) return core::Err{live.error()};
    return RegistryView{std::move(*live), {}};
  }

  // ---- Garage (per account) -----------------------------------------------
  /// Adds a bot; the store assigns `id` (1, 2, ... per account, never reused)
  /// and zeroes the stats. Limit error when the account already has
  /// `max_bots`. The loadout is validated by the caller (catalog).
  virtual StoreResult<BotRecord> create_bot(AccountId account, const BotRecord& bot, std::uint32_t max_bots) = 0;
  /// The account's bots, ascending id (empty for an unknown account).
  virtual StoreResult<std::vector<BotRecord>> list_bots(AccountId account) = 0;
  /// Replaces name/loadout/paint of bot `bot.id`, keeps its stats; NotFound.
  virtual StoreResult<BotRecord> update_bot(AccountId account, const BotRecord& bot) = 0;
  /// NotFound if the bot does not exist.
  virtual StoreResult<bool> delete_bot(AccountId account, std::uint32_t bot_id) = 0;
  /// Rating of the account (a fresh Rating{} if it never played).
  virtual StoreResult<Rating> rating(AccountId account) = 0;

  // ---- Tickets --------------------------------------------------------------
  /// Creates a waiting ticket that expires `ttl_ms` after its last refresh.
  /// Conflict if the account already holds a ticket (waiting or assigned).
  /// `created_ms` is filled in by the store (its clock).
  virtual StoreResult<Ticket> enqueue(const Ticket& ticket, std::uint32_t ttl_ms) = 0;
  /// Removes a WAITING ticket. False if there is none or it is assigned
  /// (an assignment can no longer be cancelled: the match goes ahead).
  virtual StoreResult<bool> cancel_ticket(AccountId account) = 0;
  /// Removes the ticket in any state (the front door delivered the assignment).
  virtual StoreResult<bool> remove_ticket(AccountId account) = 0;
  /// One round trip for many tickets: refreshes each existing ticket's TTL to
  /// `ttl_ms` and reports its state; nullopt where the ticket is gone
  /// (expired, removed). Output has one entry per input account, same order.
  virtual StoreResult<std::vector<std::optional<TicketStatus>>> poll_tickets(std::span<const AccountId> accounts,
                                                                             std::uint32_t ttl_ms) = 0;

  // ---- Matchmaker -----------------------------------------------------------
  /// Up to `limit` waiting tickets of one queue, oldest first. Expired
  /// tickets are dropped from the queue on the way.
  virtual StoreResult<std::vector<Ticket>> waiting_tickets(const std::string& mode, const std::string& region,
                                                           std::size_t limit) = 0;
  /// Reserves `count` consecutive match ids; returns the first. Ids are never
  /// handed out twice, across the fleet and across a store that lost its
  /// state (restarted empty): each is above the store's clock in
  /// microseconds and above every id reserved before. All are below 2^53
  /// (kMaxMatchId), exact in JSON.
  virtual StoreResult<MatchId> reserve_match_ids(std::uint32_t count) = 0;
  /// Atomically, per match: if every slot's ticket is still waiting, marks
  /// them assigned (with host/port/match id/that slot's token), takes them
  /// out of the queue, stores the match record and appends its id to the
  /// server's inbox; otherwise changes nothing. One entry per input: true =
  /// assigned. All matches go in one round trip.
  virtual StoreResult<std::vector<bool>> assign_matches(std::span<const MatchAssignment> matches) = 0;
  /// Pops up to `max` match ids from the server's inbox and returns their
  /// records (the matches this server must host), oldest first.
  virtual StoreResult<std::vector<MatchAssignment>> take_matches(const std::string& server_id, std::size_t max) = 0;
  /// The stored record of one match (tests and tools); nullopt if unknown.
  virtual StoreResult<std::optional<MatchAssignment>> match(MatchId id) = 0;

  // ---- Results --------------------------------------------------------------
  /// Appends the result to the results stream and updates ratings (Glicko-2,
  /// server/store/rating.h) and per-bot stats, exactly once per match
  /// id: true if applied now, false if this very result was already applied
  /// (a duplicate delivery, e.g. its first reply was lost; nothing changes).
  /// Conflict if a DIFFERENT result was applied under this match id (nothing
  /// changes: the caller keeps it for an operator, never drops it silently);
  /// Invalid if the result breaks result_problem; Io if the store cannot
  /// take it now (retry later).
  virtual StoreResult<bool> submit_result(const MatchResult& result) = 0;
  /// Results in stream order, after the entry `after` (0 = from the start).
  virtual StoreResult<std::vector<MatchResult>> results(std::size_t after, std::size_t count) = 0;

  /// "memory" or "redis://host:port/db" (for logs; never the password).
  virtual std::string describe() const = 0;

  /// Hostile or broken records met so far (none for a store that keeps no
  /// records outside this process). Cheap; safe from any thread.
  virtual StoreHealth health() const { return {}; }
};

}  // namespace qbot::server
