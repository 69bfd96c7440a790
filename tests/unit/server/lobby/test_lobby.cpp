// Lobby on an inline IoWorker over a MemoryStore on virtual time: every
// store call runs when the lobby posts it, every answer when the test runs
// the completions, so each step of a garage request or a ticket's life can
// be checked in order, without threads or sleeps.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <typeinfo>
#include <utility>
#include <variant>
#include <vector>

#include "server/io/io_worker.h"
#include "server/lobby/lobby.h"
#include "server/metrics/metrics.h"
#include "server/store/memory_store.h"
#include "sim_fixture.h"

using namespace qbot;
using namespace qbot::server;
using namespace std::chrono_literals;
using proto::GarageOp;
using proto::GarageStatus;
using proto::QueueState;

namespace {

constexpr SessionId kSession = 11;
constexpr AccountId kAccount = 500;

LobbyConfig lobby_config() {
  LobbyConfig c;
  c.server_id = "door-1";
  c.region = "eu";
  c.max_bots = 2;
  c.ticket_ttl_ms = 10000;
  c.poll_ms = 500;
  c.max_requests_in_flight = 2;
  return c;
}

proto::Loadout bot(const std::string& name) { return {name, "scout", "blaster", "laser", "shield", 0x112233}; }

struct Sent {
  SessionId session;
  proto::Message message;
};

class LobbyTest : public ::testing::Test {
 protected:
  explicit LobbyTest(std::size_t io_capacity = 64) : io_(store_, io_capacity, IoWorker::Mode::Inline) {}

  /// Runs the answers that are ready; returns everything sent since the last call.
  std::vector<Sent> deliver() {
    io_.run_completions();
    return take();
  }
  std::vector<Sent> take() { return std::exchange(sent_, {}); }

  /// The one message of type T among `sent`, to `session`; fails the test otherwise.
  template <class T>
  static T only(const std::vector<Sent>& sent, SessionId session = kSession) {
    std::vector<T> found;
    for (const Sent& s : sent) {
      if (const T* m = std::get_if<T>(&s.message); m != nullptr && s.session == session) found.push_back(*m);
    }
    EXPECT_EQ(found.size(), 1u) << "expected one " << typeid(T).name() << ", " << sent.size() << " sent";
    return found.empty() ? T{} : found.front();
  }

  proto::GarageReply garage(proto::GarageRequest req) {
    lobby_.on_garage(kSession, kAccount, req);
    const auto reply = only<proto::GarageReply>(deliver());
    EXPECT_EQ(reply.request_id, req.request_id);
    return reply;
  }

  /// Queues kAccount and returns the first status (Waiting when it worked).
  proto::QueueStatus queue(proto::QueueRequest req = {proto::GameMode::FreeForAll, "", 0, "", 1}) {
    lobby_.on_queue(kSession, kAccount, req);
    const std::vector<Sent> early = take();  // a refusal needs no store
    if (!early.empty()) return only<proto::QueueStatus>(early);
    return only<proto::QueueStatus>(deliver());
  }

  /// Lets one poll period pass and returns what the poll sent.
  std::vector<Sent> poll() {
    now_ += 500ms;
    lobby_.tick(static_cast<std::uint64_t>(now_.count()));
    return deliver();
  }

  std::optional<TicketStatus> ticket_of(AccountId account) {
    const AccountId accounts[] = {account};
    auto polled = store_.poll_tickets(accounts, 10000);
    EXPECT_TRUE(polled.ok());
    return polled.ok() ? (*polled)[0] : std::nullopt;
  }

  std::chrono::milliseconds now_{1'000'000};
  MemoryStore store_{[this] { return now_; }};
  IoWorker io_;
  prometheus::Registry registry_;
  Metrics metrics_{registry_};
  sim::Catalog catalog_ = test::test_catalog();
  std::vector<Sent> sent_;
  Lobby lobby_{lobby_config(), io_, catalog_, metrics_, [this](SessionId s, const proto::Message& m) {
                 sent_.push_back({s, m});
               }};
};

class LobbyOnAFullIoWorker : public LobbyTest {
 protected:
  LobbyOnAFullIoWorker() : LobbyTest(1) {}
};

}  // namespace

TEST_F(LobbyTest, GarageCreateListUpdateDeleteEachReplyWithTheGarage) {
  const auto created = garage({1, GarageOp::Create, 0, bot("alpha")});
  ASSERT_EQ(created.status, GarageStatus::Ok) << created.text;
  EXPECT_EQ(created.bot, 1u);
  ASSERT_EQ(created.bots.size(), 1u);
  EXPECT_EQ(created.bots[0].loadout, bot("alpha"));
  EXPECT_DOUBLE_EQ(created.rating, Rating{}.rating);

  EXPECT_EQ(garage({2, GarageOp::Create, 0, bot("beta")}).bot, 2u);
  const auto full = garage({3, GarageOp::Create, 0, bot("gamma")});
  EXPECT_EQ(full.status, GarageStatus::GarageFull) << "max_bots is 2";

  const auto listed = garage({4, GarageOp::List, 0, std::nullopt});
  ASSERT_EQ(listed.status, GarageStatus::Ok);
  ASSERT_EQ(listed.bots.size(), 2u);
  EXPECT_EQ(listed.bots[1].loadout.name, "beta");

  const auto renamed = garage({5, GarageOp::Update, 2, bot("beta-2")});
  ASSERT_EQ(renamed.status, GarageStatus::Ok) << renamed.text;
  EXPECT_EQ(renamed.bot, 2u);
  EXPECT_EQ(renamed.bots[1].loadout.name, "beta-2");
  EXPECT_EQ(garage({6, GarageOp::Update, 9, bot("nobody")}).status, GarageStatus::NotFound);

  const auto deleted = garage({7, GarageOp::Delete, 1, std::nullopt});
  ASSERT_EQ(deleted.status, GarageStatus::Ok);
  ASSERT_EQ(deleted.bots.size(), 1u);
  EXPECT_EQ(deleted.bots[0].bot_id, 2u);
  EXPECT_EQ(garage({8, GarageOp::Delete, 1, std::nullopt}).status, GarageStatus::NotFound);

  EXPECT_EQ(store_.list_bots(kAccount)->size(), 1u) << "the replies tell what the store holds";
  EXPECT_EQ(metrics_.garage_requests.Value(), 8.0);
  EXPECT_EQ(io_.in_flight(), 0u);
}

TEST_F(LobbyTest, AnInvalidLoadoutIsRefusedWithoutReachingTheStore) {
  proto::Loadout hover = bot("hover");
  hover.chassis = "hovercraft";
  lobby_.on_garage(kSession, kAccount, {1, GarageOp::Create, 0, hover});
  const auto reply = only<proto::GarageReply>(take());  // at once: no store round trip
  EXPECT_EQ(reply.status, GarageStatus::InvalidLoadout);
  EXPECT_NE(reply.text.find("hovercraft"), std::string::npos) << reply.text;
  EXPECT_EQ(io_.in_flight(), 0u);
  EXPECT_TRUE(store_.list_bots(kAccount)->empty());
}

TEST_F(LobbyTest, RequestsBeyondTheInFlightLimitAreAnsweredBusy) {
  lobby_.on_garage(kSession, kAccount, {1, GarageOp::List, 0, std::nullopt});
  lobby_.on_garage(kSession, kAccount, {2, GarageOp::List, 0, std::nullopt});
  lobby_.on_garage(kSession, kAccount, {3, GarageOp::List, 0, std::nullopt});  // max_requests_in_flight is 2
  const auto busy = only<proto::GarageReply>(take());
  EXPECT_EQ(busy.request_id, 3u);
  EXPECT_EQ(busy.status, GarageStatus::Busy);
  lobby_.on_queue(kSession, kAccount, {proto::GameMode::FreeForAll, "", 0, "", 1});
  const auto refused = only<proto::QueueStatus>(take());
  EXPECT_EQ(refused.state, QueueState::Refused);
  EXPECT_NE(refused.text.find("in flight"), std::string::npos) << refused.text;

  const auto answers = deliver();
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(std::get<proto::GarageReply>(answers[0].message).request_id, 1u);
  EXPECT_EQ(std::get<proto::GarageReply>(answers[1].message).request_id, 2u);
  // Answered: the session may ask again; another session was never limited.
  EXPECT_EQ(garage({4, GarageOp::List, 0, std::nullopt}).status, GarageStatus::Ok);
  EXPECT_EQ(lobby_.queued(), 0u);
}

TEST_F(LobbyOnAFullIoWorker, AGarageRequestTheWorkerRefusesIsAnsweredBusyAndFreesItsSlot) {
  ASSERT_TRUE(io_.call<int>([](Store&) { return 0; }, [](int&) {}));  // takes the worker's one slot
  lobby_.on_garage(kSession, kAccount, {1, GarageOp::List, 0, std::nullopt});
  const auto busy = only<proto::GarageReply>(take());
  EXPECT_EQ(busy.status, GarageStatus::Busy);
  EXPECT_EQ(metrics_.store_jobs_dropped.Value(), 1.0);
  EXPECT_EQ(io_.refused(), 1u);
  io_.run_completions();
  for (std::uint32_t id = 2; id < 5; ++id) {
    EXPECT_EQ(garage({id, GarageOp::List, 0, std::nullopt}).status, GarageStatus::Ok) << "nothing left stuck in flight";
  }
}

TEST_F(LobbyTest, AQueuedTicketIsPolledThenAssignedAndTheClientGetsMatchAssigned) {
  const auto first = queue();
  ASSERT_EQ(first.state, QueueState::Waiting) << first.text;
  EXPECT_EQ(first.position, 0u);
  EXPECT_EQ(first.queue_length, 1u) << "the first status is not 0 of 0";
  EXPECT_EQ(first.estimated_wait_ms, 10'000u) << "no history yet: the fill timeout";
  EXPECT_EQ(lobby_.queued(), 1u);
  auto waiting = store_.waiting_tickets("ffa", "eu", 10);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 1u);
  const Ticket ticket = (*waiting)[0];
  EXPECT_EQ(ticket.account, kAccount);
  EXPECT_EQ(ticket.front_door, "door-1");
  EXPECT_EQ(ticket.region, "eu") << "an empty region is the lobby's";
  EXPECT_TRUE(sim::resolve_loadout(catalog_, ticket.bot.loadout).ok()) << "no garage bot: the default one";

  const auto polled = only<proto::QueueStatus>(poll());
  EXPECT_EQ(polled.state, QueueState::Waiting);
  EXPECT_EQ(polled.queue_length, 1u);
  EXPECT_EQ(polled.position, 0u);
  EXPECT_EQ(polled.waited_ms, 500u);

  // A matchmaker assigns the ticket.
  const auto id = store_.reserve_match_ids(1);
  ASSERT_TRUE(id.ok());
  MatchAssignment m;
  m.id = *id;
  m.mode = "ffa";
  m.region = "eu";
  m.server_id = "host-7";
  m.host = "10.1.2.3";
  m.port = 7800;
  m.slots = {MatchSlot{kAccount, 0, ticket.bot, ticket.rating, "join-token"}};
  const auto assigned = store_.assign_matches(std::span<const MatchAssignment>(&m, 1));
  ASSERT_TRUE(assigned.ok());
  ASSERT_EQ(*assigned, std::vector<bool>{true});

  const auto sent = poll();
  ASSERT_EQ(sent.size(), 2u);
  const auto status = std::get<proto::QueueStatus>(sent[0].message);
  EXPECT_EQ(status.state, QueueState::Assigned);
  EXPECT_EQ(status.waited_ms, 1000u);
  const auto seat = std::get<proto::MatchAssigned>(sent[1].message);
  EXPECT_EQ(seat.host, "10.1.2.3");
  EXPECT_EQ(seat.port, 7800);
  EXPECT_EQ(seat.match_id, m.id);
  EXPECT_EQ(std::string(seat.join_token.begin(), seat.join_token.end()), "join-token");
  EXPECT_EQ(seat.mode, proto::GameMode::FreeForAll);
  EXPECT_EQ(lobby_.queued(), 0u);
  EXPECT_FALSE(ticket_of(kAccount)) << "delivered: the ticket is removed";
  EXPECT_EQ(metrics_.tickets_created.Value(), 1.0);
  EXPECT_EQ(metrics_.tickets_assigned.Value(), 1.0);
  EXPECT_TRUE(poll().empty()) << "nothing more to report";
}

TEST_F(LobbyTest, AnAssignedTicketsWaitBecomesTheNextTicketsEstimateAndPositionsCount) {
  ASSERT_EQ(queue().state, QueueState::Waiting);
  constexpr SessionId kOther = kSession + 1;
  constexpr AccountId kOtherAccount = kAccount + 1;
  lobby_.on_queue(kOther, kOtherAccount, {proto::GameMode::FreeForAll, "", 0, "", 1});
  const auto second = only<proto::QueueStatus>(deliver(), kOther);
  ASSERT_EQ(second.state, QueueState::Waiting) << second.text;
  EXPECT_EQ(second.position, 1u) << "behind the first ticket";
  EXPECT_EQ(second.queue_length, 2u);

  // The first ticket is assigned after 1.5 s.
  poll();
  poll();
  auto waiting = store_.waiting_tickets("ffa", "eu", 10);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 2u);
  const auto id = store_.reserve_match_ids(1);
  ASSERT_TRUE(id.ok());
  MatchAssignment m;
  m.id = *id;
  m.mode = "ffa";
  m.region = "eu";
  m.server_id = "host-7";
  m.host = "10.1.2.3";
  m.port = 7800;
  m.slots = {MatchSlot{kAccount, 0, (*waiting)[0].bot, (*waiting)[0].rating, "join-token"}};
  ASSERT_TRUE(store_.assign_matches(std::span<const MatchAssignment>(&m, 1)).ok());
  now_ += 500ms;
  lobby_.tick(static_cast<std::uint64_t>(now_.count()));
  deliver();

  // A newcomer is told what the assigned ticket waited (1500 ms).
  constexpr SessionId kThird = kSession + 2;
  lobby_.on_queue(kThird, kAccount + 2, {proto::GameMode::FreeForAll, "", 0, "", 1});
  const auto third = only<proto::QueueStatus>(deliver(), kThird);
  ASSERT_EQ(third.state, QueueState::Waiting) << third.text;
  EXPECT_EQ(third.estimated_wait_ms, 1'500u);
  EXPECT_EQ(third.position, 1u) << "behind the second ticket, the first is gone";
  EXPECT_EQ(third.queue_length, 2u);
}

TEST_F(LobbyTest, CancelWhileWaitingRemovesTheTicketAndSaysCancelled) {
  ASSERT_EQ(queue().state, QueueState::Waiting);
  lobby_.on_cancel(kSession, kAccount);
  EXPECT_EQ(only<proto::QueueStatus>(deliver()).state, QueueState::Cancelled);
  EXPECT_FALSE(ticket_of(kAccount));
  EXPECT_EQ(lobby_.queued(), 0u);
  EXPECT_TRUE(poll().empty());
}

TEST_F(LobbyTest, CancelWhileTheTicketIsBeingCreatedCancelsItOnceCreated) {
  lobby_.on_queue(kSession, kAccount, {proto::GameMode::FreeForAll, "", 0, "", 1});
  lobby_.on_cancel(kSession, kAccount);  // the enqueue's answer has not come back yet
  EXPECT_TRUE(take().empty());
  EXPECT_TRUE(deliver().empty()) << "enqueued; the cancel is now on its way to the store";
  EXPECT_EQ(only<proto::QueueStatus>(deliver()).state, QueueState::Cancelled);
  EXPECT_FALSE(ticket_of(kAccount));
  EXPECT_EQ(lobby_.queued(), 0u);
}

TEST_F(LobbyTest, LeavingCancelsTheTicketWithoutWritingToTheGoneSession) {
  ASSERT_EQ(queue().state, QueueState::Waiting);
  lobby_.on_leave(kSession, kAccount);
  EXPECT_TRUE(deliver().empty());
  EXPECT_FALSE(ticket_of(kAccount));
  EXPECT_EQ(lobby_.queued(), 0u);
  EXPECT_TRUE(poll().empty());
}

TEST_F(LobbyTest, BadRegionPartyAndDoubleQueueAreRefusedAndNothingIsEnqueued) {
  const auto region = queue({proto::GameMode::FreeForAll, "eu west", 0, "", 1});
  EXPECT_EQ(region.state, QueueState::Refused);
  EXPECT_NE(region.text.find("region"), std::string::npos) << region.text;
  const auto party = queue({proto::GameMode::FreeForAll, "", 0, "no spaces!", 2});
  EXPECT_EQ(party.state, QueueState::Refused);
  EXPECT_NE(party.text.find("party"), std::string::npos) << party.text;
  const auto no_code = queue({proto::GameMode::FreeForAll, "", 0, "", 3});
  EXPECT_EQ(no_code.state, QueueState::Refused);
  EXPECT_NE(no_code.text.find("party code"), std::string::npos) << no_code.text;
  const auto no_bot = queue({proto::GameMode::FreeForAll, "", 42, "", 1});
  EXPECT_EQ(no_bot.state, QueueState::Refused);
  EXPECT_NE(no_bot.text.find("no bot 42"), std::string::npos) << no_bot.text;
  EXPECT_FALSE(ticket_of(kAccount));
  EXPECT_EQ(lobby_.queued(), 0u);

  ASSERT_EQ(queue().state, QueueState::Waiting);
  const auto twice = queue();
  EXPECT_EQ(twice.state, QueueState::Refused);
  EXPECT_NE(twice.text.find("already queued"), std::string::npos) << twice.text;
  EXPECT_EQ(lobby_.queued(), 1u);
}

TEST_F(LobbyTest, ATicketGoneFromTheStoreIsReportedExpired) {
  ASSERT_EQ(queue().state, QueueState::Waiting);
  ASSERT_TRUE(store_.remove_ticket(kAccount).ok());  // as when its TTL ran out
  const auto status = only<proto::QueueStatus>(poll());
  EXPECT_EQ(status.state, QueueState::Expired);
  EXPECT_EQ(lobby_.queued(), 0u);
}
