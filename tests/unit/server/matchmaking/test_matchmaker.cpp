#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <set>

#include "proto/version.h"
#include "server/matchmaking/matchmaker.h"
#include "store_fixtures.h"
#include "token/token.h"

namespace qbot::test {
namespace {

constexpr std::uint64_t kUnixMs = 1'700'000'000'000;
constexpr std::uint32_t kTicketTtlMs = 60'000;

// Passes every call to another store; tests override the calls they need to
// interfere with (a rival matchmaker between read and assign, a failing call).
class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& inner) : inner_(inner) {}
  StoreResult<bool> heartbeat_server(const ServerInfo& i, std::uint32_t t) override {
    return inner_.heartbeat_server(i, t);
  }
  StoreResult<bool> deregister_server(const std::string& id) override { return inner_.deregister_server(id); }
  StoreResult<std::vector<ServerInfo>> live_servers() override { return inner_.live_servers(); }
  StoreResult<BotRecord> create_bot(AccountId a, const BotRecord& b, std::uint32_t m) override {
    return inner_.create_bot(a, b, m);
  }
  StoreResult<std::vector<BotRecord>> list_bots(AccountId a) override { return inner_.list_bots(a); }
  StoreResult<BotRecord> update_bot(AccountId a, const BotRecord& b) override { return inner_.update_bot(a, b); }
  StoreResult<bool> delete_bot(AccountId a, std::uint32_t b) override { return inner_.delete_bot(a, b); }
  StoreResult<Rating> rating(AccountId a) override { return inner_.rating(a); }
  StoreResult<Ticket> enqueue(const Ticket& t, std::uint32_t ttl) override { return inner_.enqueue(t, ttl); }
  StoreResult<bool> cancel_ticket(AccountId a) override { return inner_.cancel_ticket(a); }
  StoreResult<bool> remove_ticket(AccountId a) override { return inner_.remove_ticket(a); }
  StoreResult<std::vector<std::optional<TicketStatus>>> poll_tickets(std::span<const AccountId> a,
                                                                     std::uint32_t ttl) override {
    return inner_.poll_tickets(a, ttl);
  }
  StoreResult<std::vector<Ticket>> waiting_tickets(const std::string& m, const std::string& r,
                                                   std::size_t limit) override {
    return inner_.waiting_tickets(m, r, limit);
  }
  StoreResult<MatchId> reserve_match_ids(std::uint32_t c) override { return inner_.reserve_match_ids(c); }
  StoreResult<std::vector<bool>> assign_matches(std::span<const MatchAssignment> m) override {
    return inner_.assign_matches(m);
  }
  StoreResult<std::vector<MatchAssignment>> take_matches(const std::string& s, std::size_t max) override {
    return inner_.take_matches(s, max);
  }
  StoreResult<std::optional<MatchAssignment>> match(MatchId id) override { return inner_.match(id); }
  StoreResult<bool> submit_result(const MatchResult& r) override { return inner_.submit_result(r); }
  StoreResult<std::vector<MatchResult>> results(std::size_t after, std::size_t count) override {
    return inner_.results(after, count);
  }
  std::string describe() const override { return "forwarding to " + inner_.describe(); }

 protected:
  Store& inner_;
};

class MatchmakerTest : public ::testing::Test {
 protected:
  MemoryFixture fx;
  token::Key key = token::derive_key("matchmaker test fleet secret");

  MatchmakerConfig config() const {
    MatchmakerConfig c;
    c.key = key;
    c.token_ttl_ms = 60'000;
    c.arena_size = 8;
    return c;
  }

  void server(const std::string& id, const std::string& region, std::uint32_t capacity, std::uint32_t players = 0,
              std::uint32_t ttl_ms = 5000, std::optional<std::string> fingerprint = std::nullopt) {
    ServerInfo s;
    s.key_fingerprint = fingerprint.value_or(token::key_fingerprint(key));
    s.id = id;
    s.host = id + ".example";
    s.port = 7777;
    s.region = region;
    s.capacity = capacity;
    s.players = players;
    s.arenas = 1;
    s.version = "test";
    ASSERT_TRUE(fx.store.heartbeat_server(s, ttl_ms).ok());
  }

  // Accounts first..first+count-1, all rated 1500, in one queue.
  void tickets(AccountId first, std::size_t count, const std::string& mode = "ffa", const std::string& region = "eu") {
    for (AccountId a = first; a < first + count; ++a) {
      Ticket t;
      t.account = a;
      t.mode = mode;
      t.region = region;
      t.bot.id = 1;
      t.bot.loadout.name = "bot" + std::to_string(a);
      t.rating = 1500;
      t.front_door = "door";
      auto r = fx.store.enqueue(t, kTicketTtlMs);
      ASSERT_TRUE(r.ok()) << r.error().message;
    }
  }

  PassStats pass(Matchmaker& mm) { return mm.run_pass(static_cast<std::uint64_t>(fx.now.count()), kUnixMs); }

  std::optional<TicketStatus> status(Store& store, AccountId a) {
    auto r = store.poll_tickets(std::span<const AccountId>(&a, 1), kTicketTtlMs);
    EXPECT_TRUE(r.ok());
    return r.ok() && r->size() == 1 ? (*r)[0] : std::nullopt;
  }

  // Every match record the store holds: ids are handed out from just above
  // the store's clock in microseconds, and this fixture's clock stands still.
  std::vector<MatchAssignment> all_matches(Store& store) {
    std::vector<MatchAssignment> out;
    auto next = store.reserve_match_ids(1);
    EXPECT_TRUE(next.ok());
    for (MatchId id = fx.clock_ms() * 1000 + 1; next.ok() && id < *next; ++id) {
      auto m = store.match(id);
      EXPECT_TRUE(m.ok());
      if (m.ok() && m->has_value()) out.push_back(**m);
    }
    return out;
  }
};

TEST_F(MatchmakerTest, TicketsBecomeAMatchOnALiveServerWithRoom) {
  server("s1", "eu", 16);
  tickets(1, 8);
  Matchmaker mm(fx.store, config());
  const auto stats = pass(mm);
  EXPECT_EQ(stats.queues, 2u);  // ffa and tdm of eu
  EXPECT_EQ(stats.tickets_seen, 8u);
  EXPECT_EQ(stats.matches_formed, 1u);
  EXPECT_EQ(stats.matches_assigned, 1u);
  EXPECT_EQ(stats.tickets_assigned, 8u);
  EXPECT_EQ(stats.conflicts, 0u);
  EXPECT_EQ(stats.store_errors, 0u);

  auto hosted = fx.store.take_matches("s1", 10);
  ASSERT_TRUE(hosted.ok());
  ASSERT_EQ(hosted->size(), 1u);
  const MatchAssignment& m = (*hosted)[0];
  EXPECT_EQ(m.mode, "ffa");
  EXPECT_EQ(m.region, "eu");
  EXPECT_EQ(m.server_id, "s1");
  EXPECT_EQ(m.host, "s1.example");
  EXPECT_EQ(m.port, 7777);
  EXPECT_EQ(m.created_ms, kUnixMs);
  ASSERT_EQ(m.slots.size(), 8u);
  std::set<AccountId> accounts;
  for (const auto& slot : m.slots) {
    accounts.insert(slot.account);
    EXPECT_EQ(slot.team, 0);
    EXPECT_EQ(slot.bot.loadout.name, "bot" + std::to_string(slot.account));
    auto st = status(fx.store, slot.account);
    ASSERT_TRUE(st.has_value());
    EXPECT_EQ(st->state, TicketState::Assigned);
    EXPECT_EQ(st->match_id, m.id);
    EXPECT_EQ(st->host, "s1.example");
    EXPECT_EQ(st->token, slot.token);
  }
  EXPECT_EQ(accounts.size(), 8u);
  // Nothing is left to match.
  EXPECT_EQ(pass(mm).matches_formed, 0u);
}

TEST_F(MatchmakerTest, ServersHoldingAnotherTokenKeyGetNoMatch) {
  // Without a shared --token-secret each server has its own key: it would
  // refuse every join token this matchmaker signs.
  server("other-key", "eu", 64, 0, 5000, token::key_fingerprint(token::random_key()));
  server("no-key", "eu", 64, 0, 5000, std::string());  // an entry without a fingerprint
  tickets(1, 8);
  Matchmaker mm(fx.store, config());
  const auto stats = pass(mm);
  EXPECT_EQ(stats.key_mismatches, 2u);
  EXPECT_EQ(stats.matches_assigned, 0u);
  EXPECT_TRUE(all_matches(fx.store).empty());
  server("same-key", "eu", 16);
  const auto next = pass(mm);
  EXPECT_EQ(next.matches_assigned, 1u);
  const auto matches = all_matches(fx.store);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].server_id, "same-key");
}

TEST_F(MatchmakerTest, TokensVerifyAndCarryTheMatchAccountAndServer) {
  server("s1", "eu", 16);
  tickets(1, 8);
  Matchmaker mm(fx.store, config());
  ASSERT_EQ(pass(mm).matches_assigned, 1u);
  auto hosted = fx.store.take_matches("s1", 10);
  ASSERT_TRUE(hosted.ok());
  ASSERT_EQ(hosted->size(), 1u);
  for (const auto& slot : (*hosted)[0].slots) {
    auto claims = token::verify_join(key, token::bytes(slot.token), kUnixMs);
    ASSERT_TRUE(claims.ok()) << token::to_string(claims.error());
    EXPECT_EQ(claims->protocol_version, proto::kProtocolVersion);
    EXPECT_EQ(claims->match_id, (*hosted)[0].id);
    EXPECT_EQ(claims->account_id, slot.account);
    EXPECT_EQ(claims->server_id, "s1");
    EXPECT_EQ(claims->expires_ms, kUnixMs + 60'000);
    EXPECT_EQ(token::verify_join(token::derive_key("another fleet"), token::bytes(slot.token), kUnixMs).error(),
              token::TokenError::BadSignature);
  }
}

TEST_F(MatchmakerTest, TeamModeSeatsTwoEqualTeams) {
  server("s1", "eu", 16);
  tickets(1, 8, "tdm");
  Matchmaker mm(fx.store, config());
  ASSERT_EQ(pass(mm).matches_assigned, 1u);
  auto hosted = fx.store.take_matches("s1", 10);
  ASSERT_TRUE(hosted.ok());
  ASSERT_EQ(hosted->size(), 1u);
  std::map<std::uint8_t, int> teams;
  for (const auto& slot : (*hosted)[0].slots) ++teams[slot.team];
  EXPECT_EQ(teams, (std::map<std::uint8_t, int>{{1, 4}, {2, 4}}));
}

TEST_F(MatchmakerTest, NoMatchGoesToAFullServer) {
  server("full", "eu", 8, 4);  // 4 seats free: an 8-player match does not fit
  tickets(1, 8);
  Matchmaker mm(fx.store, config());
  auto stats = pass(mm);
  EXPECT_EQ(stats.matches_formed, 1u);
  EXPECT_EQ(stats.matches_assigned, 0u);
  EXPECT_EQ(status(fx.store, 1)->state, TicketState::Waiting);
  // A server with room arrives: the waiting tickets go there.
  server("roomy", "eu", 64);
  stats = pass(mm);
  EXPECT_EQ(stats.matches_assigned, 1u);
  auto roomy = fx.store.take_matches("roomy", 10);
  ASSERT_TRUE(roomy.ok());
  EXPECT_EQ(roomy->size(), 1u);
  EXPECT_TRUE(fx.store.take_matches("full", 10)->empty());
}

TEST_F(MatchmakerTest, SeatsGivenOutEarlierInThePassCount) {
  server("s1", "eu", 16);
  tickets(1, 24);
  Matchmaker mm(fx.store, config());
  const auto stats = pass(mm);
  EXPECT_EQ(stats.matches_formed, 3u);
  EXPECT_EQ(stats.matches_assigned, 2u);
}

TEST_F(MatchmakerTest, SeatsAssignedInEarlierPassesCountUntilAHeartbeatDoes) {
  // The server's advertised load lags (heartbeats, inbox reads); two
  // matchmakers' passes in between must not fill it twice over.
  server("s1", "eu", 16);
  tickets(1, 32);
  Matchmaker first(fx.store, config());
  Matchmaker second(fx.store, config());
  EXPECT_EQ(pass(first).matches_assigned, 2u);
  const auto again = pass(second);
  EXPECT_EQ(again.matches_assigned, 0u);
  EXPECT_EQ(again.no_room, 2u);
  auto live = fx.store.live_servers();
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].pending_seats, 16u);

  // The server took both matches, and its players ended them: its heartbeat
  // counts nobody, and says so for both matches. Room again.
  auto taken = fx.store.take_matches("s1", 10);
  ASSERT_EQ(taken->size(), 2u);
  ServerInfo beat = (*live)[0];
  beat.players = 0;
  beat.counted_matches = {(*taken)[0].id, (*taken)[1].id};
  ASSERT_TRUE(fx.store.heartbeat_server(beat, 5000).ok());
  EXPECT_EQ(pass(second).matches_assigned, 2u);
}

TEST_F(MatchmakerTest, TheServerWithTheMostRoomIsChosen) {
  server("a", "eu", 20);
  server("b", "eu", 40, 10);  // 30 free
  server("c", "eu", 100, 95);
  tickets(1, 16);
  Matchmaker mm(fx.store, config());
  EXPECT_EQ(pass(mm).matches_assigned, 2u);
  // b (30 free) takes the first, then b (22) still beats a (20).
  EXPECT_EQ(fx.store.take_matches("b", 10)->size(), 2u);
  EXPECT_TRUE(fx.store.take_matches("a", 10)->empty());
}

TEST_F(MatchmakerTest, NoMatchGoesToADeadServer) {
  server("s1", "eu", 64, 0, 1000);
  tickets(1, 8);
  fx.now += std::chrono::milliseconds(1001);  // the registry entry expired; the tickets have not
  Matchmaker mm(fx.store, config());
  const auto stats = pass(mm);
  EXPECT_EQ(stats.queues, 0u);
  EXPECT_EQ(stats.matches_formed, 0u);
  EXPECT_EQ(status(fx.store, 1)->state, TicketState::Waiting);
}

TEST_F(MatchmakerTest, RegionsAreMatchedOnTheirOwnServersOnly) {
  server("eu1", "eu", 64);
  tickets(1, 8, "ffa", "eu");
  tickets(101, 8, "ffa", "us");
  Matchmaker mm(fx.store, config());
  auto stats = pass(mm);
  EXPECT_EQ(stats.matches_assigned, 1u);
  EXPECT_EQ(status(fx.store, 101)->state, TicketState::Waiting);  // no live server in us: they wait
  server("us1", "us", 64);
  stats = pass(mm);
  EXPECT_EQ(stats.matches_assigned, 1u);
  for (const auto& [id, first] : {std::pair{"eu1", AccountId{1}}, std::pair{"us1", AccountId{101}}}) {
    auto hosted = fx.store.take_matches(id, 10);
    ASSERT_TRUE(hosted.ok());
    ASSERT_EQ(hosted->size(), 1u);
    for (const auto& slot : (*hosted)[0].slots) {
      EXPECT_GE(slot.account, first);
      EXPECT_LT(slot.account, first + 8);
    }
  }
}

TEST_F(MatchmakerTest, ModeWithoutRulesForTheArenaIsLeftOut) {
  server("s1", "eu", 64);
  tickets(1, 4, "tdm");
  auto c = config();
  c.arena_size = 3;  // no two teams of two
  c.modes = {"tdm", "ctf"};
  Matchmaker mm(fx.store, c);
  EXPECT_EQ(pass(mm).queues, 0u);
}

// A rival matchmaker runs a whole pass between this one's reads and its
// assign, on the same store: the first pass's matches all conflict.
class RivalBeforeAssign : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::function<void()> rival;
  StoreResult<std::vector<bool>> assign_matches(std::span<const MatchAssignment> m) override {
    if (rival) std::exchange(rival, nullptr)();
    return inner_.assign_matches(m);
  }
};

TEST_F(MatchmakerTest, TwoMatchmakersNeverAssignATicketTwice) {
  server("s1", "eu", 64);
  server("s2", "eu", 64);
  tickets(1, 40);
  RivalBeforeAssign racing(fx.store);
  Matchmaker first(racing, config());
  auto c = config();
  c.arena_size = 6;  // different groupings, so the rival's matches overlap the first's partly
  Matchmaker rival(fx.store, c);
  PassStats rival_stats;
  racing.rival = [&] { rival_stats = pass(rival); };
  const auto first_stats = pass(first);
  EXPECT_GT(rival_stats.matches_assigned, 0u);
  EXPECT_GT(first_stats.conflicts, 0u);
  EXPECT_EQ(first_stats.matches_assigned, 0u);

  // Both again until the queue is empty; then every account is in exactly one match.
  for (int i = 0; i < 10; ++i) {
    pass(first);
    pass(rival);
  }
  std::map<AccountId, MatchId> seat_of;
  for (const auto& m : all_matches(fx.store)) {
    for (const auto& slot : m.slots) {
      EXPECT_TRUE(seat_of.emplace(slot.account, m.id).second) << "account " << slot.account << " in two matches";
    }
  }
  for (AccountId a = 1; a <= 40; ++a) {
    auto st = status(fx.store, a);
    ASSERT_TRUE(st.has_value());
    if (st->state == TicketState::Assigned) {
      EXPECT_EQ(seat_of.at(a), st->match_id);
    } else {
      EXPECT_EQ(seat_of.count(a), 0u);
    }
  }
  EXPECT_GE(seat_of.size(), 36u);  // 40 close tickets: at most a few wait for the fill timeout
}

class FailingRegistry : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  StoreResult<std::vector<ServerInfo>> live_servers() override {
    return core::Err{StoreError{"redis down", StoreError::Kind::Io}};
  }
};

TEST_F(MatchmakerTest, StoreErrorsAreCountedNotThrown) {
  server("s1", "eu", 64);
  tickets(1, 8);
  FailingRegistry failing(fx.store);
  Matchmaker mm(failing, config());
  const auto stats = pass(mm);
  EXPECT_EQ(stats.store_errors, 1u);
  EXPECT_EQ(stats.first_error, "live_servers: redis down");
  EXPECT_EQ(status(fx.store, 1)->state, TicketState::Waiting);
}

TEST_F(MatchmakerTest, LoopRunsPassesAndStopsPromptly) {
  server("s1", "eu", 64);
  tickets(1, 8);
  Matchmaker mm(fx.store, config());
  // The store runs on virtual time that nothing advances; the loop's own
  // interval is real (10 ms).
  MatchmakerLoop loop(
      mm, std::chrono::milliseconds(10), [this] { return static_cast<std::uint64_t>(fx.now.count()); },
      [] { return kUnixMs; });
  EXPECT_TRUE(eventually([&] { return loop.totals().tickets_assigned == 8; }));
  EXPECT_TRUE(eventually([&] { return loop.passes() >= 3; }));
  loop.stop();
  const auto passes = loop.passes();
  loop.stop();  // idempotent
  EXPECT_EQ(loop.passes(), passes);
  EXPECT_EQ(loop.totals().store_errors, 0u);
}

TEST_F(MatchmakerTest, LoopStopsDuringALongWait) {
  Matchmaker mm(fx.store, config());
  // An hour between passes: stop() must wake the thread rather than wait it out.
  MatchmakerLoop loop(
      mm, std::chrono::hours(1), [] { return std::uint64_t{0}; }, [] { return kUnixMs; });
  loop.stop();
  EXPECT_EQ(loop.passes(), 0u);
}

}  // namespace
}  // namespace qbot::test
