// Matches contract, the matchmaker's and hosting server's side: oldest-first
// queues, claims that are all-or-nothing per match so a ticket is never in
// two matches, inboxes, pending seats and match ids. Both stores; Redis-only
// tests at the end (hostile entries, prefix and TTLs, round trips).
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "ticket_fixtures.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::test;
using namespace std::chrono_literals;

namespace {
template <class F>
class StoreContractMatches : public TicketContract<F> {};
TYPED_TEST_SUITE(StoreContractMatches, Stores);
}  // namespace

TYPED_TEST(StoreContractMatches, WaitingTicketsAreOldestFirstUpToTheLimit) {
  auto& store = this->fx.store;
  std::vector<Ticket> queued;
  for (const AccountId a : {5, 4, 3, 2, 1}) {
    auto t = store.enqueue(ticket(a), kLongTtl);
    ASSERT_TRUE(t.ok()) << t.error().message;
    queued.push_back(*t);
    next_ms(this->fx);
  }
  ASSERT_TRUE(store.enqueue(ticket(6, "ffa", "us"), kLongTtl).ok());
  auto all = store.waiting_tickets("ffa", "eu", 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, queued);  // whole tickets, created_ms included
  EXPECT_EQ(this->waiting("ffa", "eu", 2), (std::vector<AccountId>{5, 4}));
  EXPECT_TRUE(this->waiting("ffa", "eu", 0).empty());
  EXPECT_EQ(this->waiting("ffa", "us"), (std::vector<AccountId>{6}));
  EXPECT_TRUE(this->waiting("tdm", "eu").empty());
}
TYPED_TEST(StoreContractMatches, AssignmentIsAllOrNothingPerMatch) {
  auto& store = this->fx.store;
  this->enqueue_all({1, 2, 3, 4, 5, 6, 7});
  ASSERT_TRUE(*store.cancel_ticket(4));
  const MatchId first = *store.reserve_match_ids(4);
  const auto ok = match_of(first, {1, 2});
  const auto cancelled_slot = match_of(first + 1, {3, 4});
  const auto taken_slot = match_of(first + 2, {5, 1});  // 1 is claimed by `ok` in the same call
  const auto unknown_slot = match_of(first + 3, {6, 999});
  EXPECT_EQ(this->assign({ok, cancelled_slot, taken_slot, unknown_slot}),
            (std::vector<bool>{true, false, false, false}));

  // The losers changed nothing: still waiting, still queued, no record.
  EXPECT_EQ(this->waiting(), (std::vector<AccountId>{3, 5, 6, 7}));
  for (const AccountId a : {3, 5, 6}) EXPECT_EQ(this->poll(a).value().state, TicketState::Waiting) << a;
  for (MatchId id = first + 1; id <= first + 3; ++id) EXPECT_FALSE(store.match(id)->has_value());

  // The winner: each slot assigned with its own token.
  for (const auto& slot : ok.slots) {
    auto st = this->poll(slot.account);
    ASSERT_TRUE(st.has_value());
    EXPECT_EQ(st->state, TicketState::Assigned);
    EXPECT_EQ(st->match_id, first);
    EXPECT_EQ(st->host, ok.host);
    EXPECT_EQ(st->port, ok.port);
    EXPECT_EQ(st->token, slot.token);
  }
  EXPECT_EQ(*store.match(first), ok);
  EXPECT_EQ(ids_of(*store.take_matches("srv-a", 10)), (std::vector<MatchId>{first}));
}
TYPED_TEST(StoreContractMatches, AnExpiredSlotBlocksItsMatch) {
  auto& store = this->fx.store;
  ASSERT_TRUE(store.enqueue(ticket(1), kShortTtl).ok());
  this->enqueue_all({2, 3});
  EXPECT_TRUE(after_ttl(this->fx, kShortTtl, [&] { return !this->queued(1); }));
  const MatchId id = *store.reserve_match_ids(2);
  EXPECT_EQ(this->assign({match_of(id, {1, 2}), match_of(id + 1, {2, 3})}), (std::vector<bool>{false, true}));
  EXPECT_FALSE(store.match(id)->has_value());
  EXPECT_EQ(store.match(id + 1)->value().slots.size(), 2u);
}
TYPED_TEST(StoreContractMatches, ATicketIsNeverAssignedTwice) {
  auto& store = this->fx.store;
  this->enqueue_all({1, 2, 3, 4});
  const MatchId id = *store.reserve_match_ids(3);
  ASSERT_EQ(this->assign({match_of(id, {1, 2})}), std::vector<bool>{true});
  // Another matchmaker that read the queue before the first claim.
  EXPECT_EQ(this->assign({match_of(id + 1, {3, 1})}), std::vector<bool>{false});
  EXPECT_EQ(this->poll(1).value().match_id, id);
  EXPECT_EQ(this->poll(3).value().state, TicketState::Waiting);
  // A match id is used once, even with other tickets.
  EXPECT_EQ(this->assign({match_of(id, {3, 4})}), std::vector<bool>{false});
  EXPECT_EQ(this->waiting(), (std::vector<AccountId>{3, 4}));
  EXPECT_EQ(this->assign({match_of(id + 2, {3, 4})}), std::vector<bool>{true});
  EXPECT_TRUE(this->waiting().empty());
}
TYPED_TEST(StoreContractMatches, InvalidMatchesAreRefusedWhole) {
  auto& store = this->fx.store;
  this->enqueue_all({1, 2, 3});
  auto twice = match_of(2, {3, 3});
  auto r = store.assign_matches(std::vector<MatchAssignment>{match_of(1, {1, 2}), twice});
  EXPECT_EQ(kind_of(r), StoreError::Kind::Invalid);
  EXPECT_EQ(this->waiting(), (std::vector<AccountId>{1, 2, 3}));  // nothing applied
  EXPECT_TRUE(store.assign_matches(std::span<const MatchAssignment>{})->empty());
}
TYPED_TEST(StoreContractMatches, InboxesHandOutMatchesInOrderOnce) {
  auto& store = this->fx.store;
  std::vector<AccountId> accounts;
  for (AccountId a = 1; a <= 10; ++a) accounts.push_back(a);
  this->enqueue_all(accounts);
  const MatchId id = *store.reserve_match_ids(5);
  ASSERT_EQ(this->assign({match_of(id, {1, 2}), match_of(id + 1, {3, 4}, "srv-b"), match_of(id + 2, {5, 6})}),
            (std::vector<bool>{true, true, true}));
  ASSERT_EQ(this->assign({match_of(id + 3, {7, 8}), match_of(id + 4, {9, 10})}), (std::vector<bool>{true, true}));

  auto first_two = store.take_matches("srv-a", 2);
  ASSERT_TRUE(first_two.ok()) << first_two.error().message;
  ASSERT_EQ(ids_of(*first_two), (std::vector<MatchId>{id, id + 2}));
  EXPECT_EQ((*first_two)[0], match_of(id, {1, 2}));  // the whole record, tokens included
  EXPECT_EQ(ids_of(*store.take_matches("srv-a", 10)), (std::vector<MatchId>{id + 3, id + 4}));
  EXPECT_TRUE(store.take_matches("srv-a", 10)->empty());
  EXPECT_EQ(ids_of(*store.take_matches("srv-b", 10)), (std::vector<MatchId>{id + 1}));
  EXPECT_TRUE(store.take_matches("srv-c", 10)->empty());
  // Taken is not forgotten: the record stays readable.
  EXPECT_EQ(*store.match(id + 1), match_of(id + 1, {3, 4}, "srv-b"));
  EXPECT_FALSE(store.match(id + 99)->has_value());
}
std::uint32_t pending_seats(Store& store, const std::string& id) {
  auto live = store.live_servers();
  EXPECT_TRUE(live.ok());
  for (const auto& s : live.ok() ? *live : std::vector<ServerInfo>{}) {
    if (s.id == id) return s.pending_seats;
  }
  ADD_FAILURE() << id << " is not live";
  return 0;
}

TYPED_TEST(StoreContractMatches, AssignedSeatsArePendingUntilAHeartbeatCountsThem) {
  auto& store = this->fx.store;
  ASSERT_TRUE(store.heartbeat_server(registry_entry("srv-a", 0), 60000).ok());
  ASSERT_TRUE(store.heartbeat_server(registry_entry("srv-b", 0), 60000).ok());
  EXPECT_EQ(pending_seats(store, "srv-a"), 0u);
  this->enqueue_all({1, 2, 3, 4, 5, 6, 7});
  const MatchId id = *store.reserve_match_ids(3);
  ASSERT_EQ(this->assign({match_of(id, {1, 2}), match_of(id + 1, {3, 4, 5}), match_of(id + 2, {6, 7}, "srv-b")}),
            (std::vector<bool>{true, true, true}));
  EXPECT_EQ(pending_seats(store, "srv-a"), 5u);
  EXPECT_EQ(pending_seats(store, "srv-b"), 2u);
  // A refused match (its tickets are taken) adds nothing.
  ASSERT_EQ(this->assign({match_of(id + 9, {1, 2})}), std::vector<bool>{false});
  EXPECT_EQ(pending_seats(store, "srv-a"), 5u);

  // srv-a took the first match; its heartbeat counts those 2 seats in
  // `players` and says so: they are no longer pending.
  ASSERT_TRUE(store.heartbeat_server(registry_entry("srv-a", 2, {id}), 60000).ok());
  EXPECT_EQ(pending_seats(store, "srv-a"), 3u);
  ASSERT_TRUE(store.heartbeat_server(registry_entry("srv-a", 5, {id, id + 1, id + 77}), 60000).ok());
  EXPECT_EQ(pending_seats(store, "srv-a"), 0u);
  EXPECT_EQ(pending_seats(store, "srv-b"), 2u);
  // Deregistering forgets the server's pending seats.
  ASSERT_TRUE(*store.deregister_server("srv-b"));
  ASSERT_TRUE(store.heartbeat_server(registry_entry("srv-b", 0), 60000).ok());
  EXPECT_EQ(pending_seats(store, "srv-b"), 0u);
}
TEST(MemoryStoreMatches, PendingSeatsLapseWhenNoHeartbeatCountsThem) {
  MemoryFixture fx;
  ASSERT_TRUE(fx.store.heartbeat_server(registry_entry("srv-a", 0), kPendingSeatsMs * 2).ok());
  ASSERT_TRUE(fx.store.enqueue(ticket(1), kLongTtl).ok());
  ASSERT_TRUE(fx.store.enqueue(ticket(2), kLongTtl).ok());
  ASSERT_EQ(*fx.store.assign_matches(std::vector{match_of(5, {1, 2})}), std::vector<bool>{true});
  fx.now += std::chrono::milliseconds(kPendingSeatsMs - 1);
  EXPECT_EQ(pending_seats(fx.store, "srv-a"), 2u);
  fx.now += 1ms;
  EXPECT_EQ(pending_seats(fx.store, "srv-a"), 0u);
}
TEST(RedisStoreMatches, HostilePendingSeatEntriesAreDroppedNotCounted) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  ASSERT_TRUE(fx.store.heartbeat_server(registry_entry("srv-a", 0), 60000).ok());
  ASSERT_TRUE(fx.store.heartbeat_server(registry_entry("srv-b", 0), 60000).ok());
  const std::string future = std::to_string(redis_time_ms() + kPendingSeatsMs / 2);  // within what an assignment sets
  for (const char* id : {"70", "71", "72", "73", "74"}) redis.command({"SET", std::string("qbot:match:") + id, "x"});
  redis.command({"HSET", "qbot:pending:srv-a", "70", "3:" + future, "71", "4:1", "72", "garbage", "73",
                 "99999999:" + future, "74", "-5:" + future, "75", "2:" + future});
  EXPECT_EQ(pending_seats(fx.store, "srv-a"), 3u);  // 71 lapsed, 72-74 malformed, 75 has no match record
  EXPECT_EQ(redis.command({"HLEN", "qbot:pending:srv-a"}), "1");
  // A pending key of the wrong type: the server is still listed, and no
  // match is assigned to it (the script checks before it writes).
  redis.command({"SET", "qbot:pending:srv-b", "x"});
  EXPECT_EQ(pending_seats(fx.store, "srv-b"), 0u);
  ASSERT_TRUE(fx.store.enqueue(ticket(1), kLongTtl).ok());
  ASSERT_TRUE(fx.store.enqueue(ticket(2), kLongTtl).ok());
  ASSERT_EQ(*fx.store.assign_matches(std::vector{match_of(80, {1, 2}, "srv-b")}), std::vector<bool>{false});
  EXPECT_EQ(fx.store.poll_tickets(std::vector<AccountId>{1}, kLongTtl)->at(0)->state, TicketState::Waiting);
  ASSERT_TRUE(fx.store.heartbeat_server(registry_entry("srv-b", 0, {80}), 60000).ok());  // HDEL skipped, no error
}
TYPED_TEST(StoreContractMatches, ReservedMatchIdBlocksNeverOverlap) {
  auto& store = this->fx.store;
  const MatchId a = *store.reserve_match_ids(10);
  const MatchId b = *store.reserve_match_ids(1);
  const MatchId c = *store.reserve_match_ids(1000);
  const MatchId d = *store.reserve_match_ids(1);
  EXPECT_GE(a, 1u);
  // Blocks ascend and never overlap (gaps are allowed: ids follow the clock).
  EXPECT_GE(b, a + 10);
  EXPECT_GE(c, b + 1);
  EXPECT_GE(d, c + 1000);
  EXPECT_LE(d, kMaxMatchId);
}

// ---- Redis only -------------------------------------------------------------

namespace {
std::uint64_t evalsha_calls() {
  // "cmdstat_evalsha:calls=N,..." in INFO commandstats: real round trips, not our counter.
  const std::string info = RedisFixture::server->command({"INFO", "commandstats"});
  const auto at = info.find("cmdstat_evalsha:calls=");
  if (at == std::string::npos) return 0;
  return std::stoull(info.substr(at + std::string("cmdstat_evalsha:calls=").size()));
}
}  // namespace

TEST(RedisStoreMatches, HostileMatchesAndInboxEntriesAreSkippedAndCounted) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  ASSERT_TRUE(fx.store.enqueue(ticket(1), kLongTtl).ok());
  ASSERT_TRUE(fx.store.enqueue(ticket(2), kLongTtl).ok());
  ASSERT_EQ(*fx.store.assign_matches(std::vector{match_of(50, {1, 2})}), std::vector<bool>{true});
  redis.command({"SET", "qbot:match:60", "garbage"});
  redis.command({"SET", "qbot:match:61", encode_match(match_of(50, {1, 2}))});           // id mismatch
  redis.command({"SET", "qbot:match:62", encode_match(match_of(62, {1, 2}, "srv-b"))});  // another server's
  redis.command({"RPUSH", "qbot:inbox:srv-a", "60", "61", "62", "63", "nope"});          // 63: no record
  EXPECT_FALSE(fx.store.match(60)->has_value());
  EXPECT_FALSE(fx.store.match(61)->has_value());
  EXPECT_EQ(fx.store.malformed_entries(), 2u);
  auto taken = fx.store.take_matches("srv-a", 100);
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  EXPECT_EQ(ids_of(*taken), (std::vector<MatchId>{50}));
  EXPECT_EQ(fx.store.malformed_entries(), 7u);
  EXPECT_EQ(redis.command({"EXISTS", "qbot:inbox:srv-a"}), "0");
}
TEST(RedisStoreMatches, KeysCarryTheConfiguredPrefixAndTtls) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  auto options = redis_options();
  options.prefix = "custom:";
  auto owned = redis_store_with(redis.url(), options);
  RedisStore& store = *owned;
  ASSERT_TRUE(store.create_bot(1, ticket(1).bot, 4).ok());
  for (const AccountId a : {1, 2, 3}) ASSERT_TRUE(store.enqueue(ticket(a), kLongTtl).ok());
  const MatchId id = *store.reserve_match_ids(1);
  ASSERT_EQ(*store.assign_matches(std::vector{match_of(id, {1, 2})}), std::vector<bool>{true});
  const std::string keys = redis.command({"KEYS", "*"});
  std::istringstream in(keys);
  int count = 0;
  for (std::string key; in >> key; ++count) EXPECT_EQ(key.rfind("custom:", 0), 0u) << key;
  // garage, 3 tickets, queue (ticket 3), next_match_id, match, inbox, pending seats
  EXPECT_EQ(count, 9) << keys;
  EXPECT_EQ(redis.command({"HGET", "custom:ticket:1", "state"}), "assigned");
  const long long match_ttl = std::stoll(redis.command({"PTTL", "custom:match:" + std::to_string(id)}));
  EXPECT_GT(match_ttl, 0);
  EXPECT_LE(match_ttl, static_cast<long long>(kMatchRecordTtlMs));
  EXPECT_GT(std::stoll(redis.command({"PTTL", "custom:inbox:srv-a"})), 0);
  const long long pending_ttl = std::stoll(redis.command({"PTTL", "custom:pending:srv-a"}));
  EXPECT_GT(pending_ttl, 0);
  EXPECT_LE(pending_ttl, static_cast<long long>(kPendingSeatsMs));
  EXPECT_EQ(redis.command({"TTL", "custom:garage:1"}), "-1");
  EXPECT_EQ(redis.command({"TTL", "custom:queue:ffa:eu"}), "-1");
}
TEST(RedisStoreMatches, BigBatchesTakeOneRoundTrip) {
  RedisFixture fx;
  constexpr AccountId kTickets = 10'000;
  constexpr std::size_t kPerMatch = 8;
  for (AccountId a = 1; a <= kTickets; ++a) ASSERT_TRUE(fx.store.enqueue(ticket(a), kLongTtl).ok());
  std::vector<AccountId> all(kTickets);
  for (AccountId a = 1; a <= kTickets; ++a) all[a - 1] = a;

  auto calls = evalsha_calls();
  auto waiting = fx.store.waiting_tickets("ffa", "eu", kTickets);
  ASSERT_TRUE(waiting.ok()) << waiting.error().message;
  EXPECT_EQ(waiting->size(), kTickets);
  EXPECT_EQ(evalsha_calls() - calls, 1u);

  calls = evalsha_calls();
  auto polled = fx.store.poll_tickets(all, kLongTtl);
  ASSERT_TRUE(polled.ok()) << polled.error().message;
  ASSERT_TRUE((*polled)[kTickets - 1].has_value());
  EXPECT_EQ((*polled)[kTickets - 1]->position, kTickets - 1);
  EXPECT_EQ(evalsha_calls() - calls, 1u);

  const MatchId first = *fx.store.reserve_match_ids(kTickets / kPerMatch);
  std::vector<MatchAssignment> matches;
  for (std::size_t m = 0; m < kTickets / kPerMatch; ++m) {
    matches.push_back(match_of(first + m, {all.begin() + m * kPerMatch, all.begin() + (m + 1) * kPerMatch}));
  }
  ASSERT_EQ(matches.size(), 1250u);
  calls = evalsha_calls();
  auto assigned = fx.store.assign_matches(matches);
  ASSERT_TRUE(assigned.ok()) << assigned.error().message;
  EXPECT_EQ(std::count(assigned->begin(), assigned->end(), true), 1250);
  EXPECT_EQ(evalsha_calls() - calls, 1u);
  EXPECT_TRUE(fx.store.waiting_tickets("ffa", "eu", kTickets)->empty());
  EXPECT_EQ(fx.store.take_matches("srv-a", 2000)->size(), 1250u);
}
