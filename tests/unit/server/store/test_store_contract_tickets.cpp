// Tickets contract, the front door's side: one ticket per account, expiry
// when the client stops polling (queue included), cancel/remove, and what a
// poll reports. Both stores; Redis-only tests at the end (hostile entries).
#include <gtest/gtest.h>

#include "ticket_fixtures.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::test;
using namespace std::chrono_literals;

namespace {
template <class F>
class StoreContractTickets : public TicketContract<F> {};
TYPED_TEST_SUITE(StoreContractTickets, Stores);
}  // namespace

TYPED_TEST(StoreContractTickets, EnqueueStampsTheStoreClockAndAllowsOneTicketPerAccount) {
  auto& store = this->fx.store;
  auto t = store.enqueue(ticket(11), kLongTtl);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_GT(t->created_ms, 0u);
  Ticket expected = ticket(11);
  expected.created_ms = t->created_ms;
  EXPECT_EQ(*t, expected);
  EXPECT_EQ(kind_of(store.enqueue(ticket(11), kLongTtl)), StoreError::Kind::Conflict);
  EXPECT_EQ(kind_of(store.enqueue(ticket(11, "tdm", "us"), kLongTtl)), StoreError::Kind::Conflict);

  auto st = this->poll(11);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->state, TicketState::Waiting);
  EXPECT_EQ(st->created_ms, t->created_ms);
  EXPECT_EQ(this->waiting(), (std::vector<AccountId>{11}));
  EXPECT_TRUE(this->waiting("tdm", "us").empty());

  // Assigned still counts as holding a ticket.
  this->enqueue_all({12});
  ASSERT_EQ(this->assign({match_of(*store.reserve_match_ids(1), {11, 12})}), std::vector<bool>{true});
  EXPECT_EQ(kind_of(store.enqueue(ticket(11), kLongTtl)), StoreError::Kind::Conflict);
  ASSERT_TRUE(*store.remove_ticket(11));
  EXPECT_TRUE(store.enqueue(ticket(11), kLongTtl).ok());
}
TYPED_TEST(StoreContractTickets, InvalidTicketsAreRefused) {
  auto& store = this->fx.store;
  using K = StoreError::Kind;
  EXPECT_EQ(kind_of(store.enqueue(ticket(0), kLongTtl)), K::Invalid);
  EXPECT_EQ(kind_of(store.enqueue(ticket(1, "ctf"), kLongTtl)), K::Invalid);
  EXPECT_EQ(kind_of(store.enqueue(ticket(1, "ffa", "eu west"), kLongTtl)), K::Invalid);
  EXPECT_EQ(kind_of(store.enqueue(ticket(1, "ffa", std::string(kMaxRegionBytes + 1, 'r')), kLongTtl)), K::Invalid);
  EXPECT_EQ(kind_of(store.enqueue(ticket(1), 0)), K::Invalid);
  Ticket party = ticket(1);
  party.party = "crew";
  party.party_size = kMaxPartySize + 1;
  EXPECT_EQ(kind_of(store.enqueue(party, kLongTtl)), K::Invalid);
  party.party_size = kMaxPartySize;
  EXPECT_TRUE(store.enqueue(party, kLongTtl).ok());
  EXPECT_EQ(kind_of(store.waiting_tickets("ffa", "../x", 10)), K::Invalid);
  EXPECT_EQ(kind_of(store.waiting_tickets("nope", "eu", 10)), K::Invalid);
  EXPECT_EQ(kind_of(store.reserve_match_ids(0)), K::Invalid);
  EXPECT_EQ(kind_of(store.take_matches("bad id", 10)), K::Invalid);
}
TYPED_TEST(StoreContractTickets, CancelRemovesOnlyAWaitingTicketRemoveAny) {
  auto& store = this->fx.store;
  this->enqueue_all({1, 2, 3});
  EXPECT_TRUE(*store.cancel_ticket(2));
  EXPECT_FALSE(this->poll(2).has_value());
  EXPECT_EQ(this->waiting(), (std::vector<AccountId>{1, 3}));
  EXPECT_FALSE(*store.cancel_ticket(2));
  EXPECT_FALSE(*store.cancel_ticket(99));

  ASSERT_EQ(this->assign({match_of(*store.reserve_match_ids(1), {1, 3})}), std::vector<bool>{true});
  EXPECT_FALSE(*store.cancel_ticket(1));  // the match goes ahead
  auto st = this->poll(1);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->state, TicketState::Assigned);
  EXPECT_TRUE(*store.remove_ticket(1));
  EXPECT_FALSE(this->poll(1).has_value());
  EXPECT_FALSE(*store.remove_ticket(1));
  this->enqueue_all({4});
  EXPECT_TRUE(*store.remove_ticket(4));  // waiting: leaves the queue too
  EXPECT_TRUE(this->waiting().empty());
}
TYPED_TEST(StoreContractTickets, TicketsExpireWithoutPollingAndLeaveTheirQueue) {
  auto& store = this->fx.store;
  ASSERT_TRUE(store.enqueue(ticket(1), kShortTtl).ok());
  ASSERT_TRUE(store.enqueue(ticket(2), kLongTtl).ok());
  EXPECT_TRUE(after_ttl(this->fx, kShortTtl, [&] { return !this->queued(1); }));
  EXPECT_FALSE(this->poll(1).has_value());
  EXPECT_EQ(this->waiting(), (std::vector<AccountId>{2}));
  auto st = this->poll(2);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->position, 0u);
  EXPECT_EQ(st->queue_length, 1u);  // no ghost of ticket 1 ahead
  // Gone means gone: the account may queue again.
  EXPECT_TRUE(store.enqueue(ticket(1), kLongTtl).ok());
}
TYPED_TEST(StoreContractTickets, PollingRefreshesTheTtl) {
  auto& store = this->fx.store;
  ASSERT_TRUE(store.enqueue(ticket(1), kShortTtl).ok());
  ASSERT_TRUE(store.enqueue(ticket(2), kShortTtl).ok());  // the control: never polled
  ASSERT_TRUE(this->poll(1, kLongTtl).has_value());
  EXPECT_TRUE(after_ttl(this->fx, kShortTtl, [&] { return !this->queued(2); }));
  EXPECT_FALSE(this->poll(2).has_value());
  auto st = this->poll(1);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->state, TicketState::Waiting);
}
TYPED_TEST(StoreContractTickets, PollReportsPlaceInLineForManyTicketsAtOnce) {
  auto& store = this->fx.store;
  for (const AccountId a : {30, 10, 20}) {
    this->enqueue_all({a});
    next_ms(this->fx);
  }
  ASSERT_TRUE(store.enqueue(ticket(40, "tdm"), kLongTtl).ok());
  const AccountId accounts[] = {20, 77, 30, 40, 10};
  auto r = store.poll_tickets(accounts, kLongTtl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 5u);
  EXPECT_FALSE((*r)[1].has_value());  // never queued
  const std::pair<std::size_t, std::uint32_t> expected[] = {{0, 2}, {2, 0}, {4, 1}};
  for (const auto& [i, position] : expected) {
    ASSERT_TRUE((*r)[i].has_value()) << i;
    EXPECT_EQ((*r)[i]->state, TicketState::Waiting);
    EXPECT_EQ((*r)[i]->position, position) << "account " << accounts[i];
    EXPECT_EQ((*r)[i]->queue_length, 3u);
  }
  ASSERT_TRUE((*r)[3].has_value());
  EXPECT_EQ((*r)[3]->position, 0u);  // alone in the tdm queue
  EXPECT_EQ((*r)[3]->queue_length, 1u);
  EXPECT_TRUE(store.poll_tickets(std::span<const AccountId>{}, kLongTtl)->empty());
}

// ---- Redis only -------------------------------------------------------------

TEST(RedisStoreTickets, ExpiredTicketsLeaveNoGhostInTheQueue) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  ASSERT_TRUE(fx.store.enqueue(ticket(1), kShortTtl).ok());
  ASSERT_TRUE(fx.store.enqueue(ticket(2), kLongTtl).ok());
  const int ttl = std::stoi(redis.command({"PTTL", "qbot:ticket:1"}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, static_cast<int>(kShortTtl));
  EXPECT_TRUE(eventually([&] { return redis.command({"EXISTS", "qbot:ticket:1"}) == "0"; }, 10s, 20ms));
  ASSERT_TRUE(fx.store.waiting_tickets("ffa", "eu", 10).ok());
  EXPECT_EQ(redis.command({"ZCARD", "qbot:queue:ffa:eu"}), "1");
  // A re-queue elsewhere leaves a stale member in the old queue: dropped too.
  ASSERT_TRUE(fx.store.enqueue(ticket(1, "tdm", "eu"), kLongTtl).ok());
  redis.command({"ZADD", "qbot:queue:ffa:eu", "1", "00000000000000000001"});
  auto w = fx.store.waiting_tickets("ffa", "eu", 10);
  ASSERT_EQ(accounts_of(*w), (std::vector<AccountId>{2}));
  EXPECT_EQ(redis.command({"ZCARD", "qbot:queue:ffa:eu"}), "1");
  EXPECT_EQ(fx.store.malformed_entries(), 0u);
}
TEST(RedisStoreTickets, HostileTicketsAreSkippedAndCounted) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  ASSERT_TRUE(fx.store.enqueue(ticket(1), kLongTtl).ok());
  const std::string good = encode_ticket(ticket(2));
  auto plant = [&](AccountId account, const std::string& created, const std::string& data) {
    const std::string a = std::to_string(account);
    redis.command({"HSET", "qbot:ticket:" + a, "state", "waiting", "mode", "ffa", "region", "eu", "created", created,
                   "data", data});
    redis.command({"ZADD", "qbot:queue:ffa:eu", "0", RedisStore::queue_member(account)});
  };
  plant(2, "12", "garbage");                        // not a ticket
  plant(3, "12", good);                             // someone else's ticket (account 2)
  plant(4, "soon", encode_ticket(ticket(4)));       // creation time not a number
  plant(5, "12", encode_ticket(ticket(5, "tdm")));  // a tdm ticket in the ffa queue
  redis.command({"SET", "qbot:ticket:6", "not a hash"});
  redis.command({"ZADD", "qbot:queue:ffa:eu", "0", "00000000000000000006"});
  auto w = fx.store.waiting_tickets("ffa", "eu", 100);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(accounts_of(*w), (std::vector<AccountId>{1}));
  EXPECT_EQ(fx.store.malformed_entries(), 5u);

  redis.command({"HSET", "qbot:ticket:7", "state", "assigned", "created", "1", "match", "x", "host", "h", "port", "1",
                 "token", "t"});
  redis.command({"HSET", "qbot:ticket:8", "state", "confused", "created", "1"});
  redis.command({"HSET", "qbot:ticket:9", "state", "assigned", "created", "1", "match", "5", "host", "h", "port",
                 "70000", "token", "t"});
  const AccountId polled[] = {7, 8, 9, 6, 1};
  auto p = fx.store.poll_tickets(polled, kLongTtl);
  ASSERT_TRUE(p.ok()) << p.error().message;
  for (std::size_t i = 0; i < 4; ++i) EXPECT_FALSE((*p)[i].has_value()) << polled[i];
  EXPECT_TRUE((*p)[4].has_value());
  EXPECT_EQ(fx.store.malformed_entries(), 9u);
}
