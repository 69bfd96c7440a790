// Results and ratings, one contract for both stores: a match result is
// applied exactly once, ratings move the right way, per-bot stats count.
// Redis-only tests: concurrent servers, hostile entries, key layout.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "server/store/rating.h"
#include "server/store/result_codec.h"
#include "store_fixtures.h"
#include "token/record_mac.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::test;
using namespace std::chrono_literals;

namespace {

template <class F>
class StoreContractResults : public StoreContract<F> {};
TYPED_TEST_SUITE(StoreContractResults, Stores);

template <class S>
Rating rating_of(S& store, AccountId account) {
  auto r = store.rating(account);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : Rating{};
}

template <class S>
std::vector<MatchResult> all_results(S& store) {
  auto r = store.results(0, 1000);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : std::vector<MatchResult>{};
}

}  // namespace

TYPED_TEST(StoreContractResults, NeverPlayedIsAFreshRating) {
  auto& store = this->fx.store;
  EXPECT_EQ(rating_of(store, 42), Rating{});
  auto zero = store.rating(0);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().kind, StoreError::Kind::Invalid);
}

TYPED_TEST(StoreContractResults, ResultIsAppliedOnceAndADuplicateChangesNothing) {
  auto& store = this->fx.store;
  const MatchResult result = ffa_result(7, {101, 102, 103});
  auto first = store.submit_result(result);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  const Rating a = rating_of(store, 101), b = rating_of(store, 102), c = rating_of(store, 103);
  EXPECT_EQ(a.matches, 1u);

  // Delivered again (a retry after a lost reply): the same match, not
  // applied again. Other content under the same match id is another match
  // that reused the id: a Conflict, never taken for a duplicate.
  auto again = store.submit_result(result);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(*again);
  const MatchResult reversed = ffa_result(7, {103, 102, 101});
  auto other = store.submit_result(reversed);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().kind, StoreError::Kind::Conflict) << other.error().message;

  EXPECT_EQ(rating_of(store, 101), a);
  EXPECT_EQ(rating_of(store, 102), b);
  EXPECT_EQ(rating_of(store, 103), c);
  const auto stored = all_results(store);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0], result);
}

TYPED_TEST(StoreContractResults, RatingsMoveTheRightWay) {
  auto& store = this->fx.store;
  ASSERT_TRUE(*store.submit_result(ffa_result(1, {1, 2, 3})));
  const Rating first = rating_of(store, 1), middle = rating_of(store, 2), last = rating_of(store, 3);
  EXPECT_GT(first.rating, 1500.0);
  EXPECT_NEAR(middle.rating, 1500.0, 1e-6);
  EXPECT_LT(last.rating, 1500.0);
  for (const Rating& r : {first, middle, last}) {
    EXPECT_LT(r.deviation, 350.0);
    EXPECT_EQ(r.matches, 1u);
  }
  // The stored ratings are exactly what rate_match computes (no precision
  // lost on the way through the store).
  const std::vector<RatedPlayer> players = {{Rating{}, 0, 1}, {Rating{}, 0, 2}, {Rating{}, 0, 3}};
  EXPECT_EQ(rate_match(players)[0], first);

  // The next match starts from the stored ratings.
  ASSERT_TRUE(*store.submit_result(ffa_result(2, {3, 1})));
  const Rating last_now = rating_of(store, 3), first_now = rating_of(store, 1);
  EXPECT_GT(last_now.rating, last.rating);
  EXPECT_LT(first_now.rating, first.rating);
  EXPECT_EQ(first_now.matches, 2u);
  EXPECT_EQ(rating_of(store, 2), middle);  // not in the second match
}

TYPED_TEST(StoreContractResults, TeamResultRatesTeamAgainstTeam) {
  auto& store = this->fx.store;
  MatchResult r = ffa_result(3, {11, 12, 21, 22});
  r.mode = "tdm";
  r.winner_team = 1;
  for (auto& row : r.rows) {
    row.team = row.account < 20 ? 1 : 2;
    row.placement = row.team;
  }
  ASSERT_TRUE(*store.submit_result(r));
  EXPECT_GT(rating_of(store, 11).rating, 1500.0);
  EXPECT_EQ(rating_of(store, 11), rating_of(store, 12));
  EXPECT_LT(rating_of(store, 21).rating, 1500.0);
  EXPECT_EQ(rating_of(store, 21), rating_of(store, 22));
}

TYPED_TEST(StoreContractResults, InvalidResultsAreRefused) {
  auto& store = this->fx.store;
  std::vector<MatchResult> bad;
  bad.push_back(ffa_result(0, {1, 2}));  // no match id
  bad.push_back(ffa_result(5, {1, 0}));  // account 0
  bad.push_back(ffa_result(5, {1, 1}));  // one account twice
  bad.push_back(ffa_result(5, {1, 2}));
  bad.back().rows[1].placement = 0;  // no placement
  std::vector<AccountId> crowd;
  for (AccountId a = 1; a <= 65; ++a) crowd.push_back(a);
  bad.push_back(ffa_result(5, crowd));  // 65 rows
  bad.push_back(ffa_result(5, {1, 2}));
  bad.back().server_id = "bad id";
  bad.push_back(ffa_result(5, {1, 2}));
  bad.back().mode = "";
  bad.push_back(ffa_result(5, {1, 2}));
  bad.back().mode = "ctf";  // not a mode we run
  for (const MatchResult& r : bad) {
    auto out = store.submit_result(r);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().kind, StoreError::Kind::Invalid) << out.error().message;
  }
  EXPECT_TRUE(all_results(store).empty());
  EXPECT_EQ(rating_of(store, 1), Rating{});
  // A refused result did not claim its match id.
  EXPECT_TRUE(*store.submit_result(ffa_result(5, {1, 2})));
}

TYPED_TEST(StoreContractResults, ResultsPageInSubmissionOrder) {
  auto& store = this->fx.store;
  for (MatchId id : {50, 10, 30, 20, 40}) ASSERT_TRUE(*store.submit_result(ffa_result(id, {id, id + 1})));
  auto ids = [](const std::vector<MatchResult>& rs) {
    std::vector<MatchId> out;
    for (const auto& r : rs) out.push_back(r.match_id);
    return out;
  };
  EXPECT_EQ(ids(all_results(store)), (std::vector<MatchId>{50, 10, 30, 20, 40}));
  EXPECT_EQ(ids(*store.results(2, 2)), (std::vector<MatchId>{30, 20}));
  EXPECT_EQ(ids(*store.results(4, 10)), (std::vector<MatchId>{40}));
  EXPECT_TRUE(store.results(5, 10)->empty());
  EXPECT_TRUE(store.results(0, 0)->empty());
}

TYPED_TEST(StoreContractResults, TheStreamKeepsTheNewestEntriesButEveryResultCountsOnce) {
  auto& store = this->fx.store;
  store.keep_results(3);
  for (MatchId id : {50, 10, 30, 20, 40}) ASSERT_TRUE(*store.submit_result(ffa_result(id, {id, id + 1})));
  std::vector<MatchId> kept;
  for (const auto& r : all_results(store)) kept.push_back(r.match_id);
  EXPECT_EQ(kept, (std::vector<MatchId>{30, 20, 40}));
  // Trimmed from the stream is not forgotten: a late duplicate of match 50
  // still changes nothing, and its ratings stay applied.
  const Rating before = *store.rating(50);
  EXPECT_EQ(before.matches, 1u);
  EXPECT_FALSE(*store.submit_result(ffa_result(50, {50, 51})));
  EXPECT_EQ(store.rating(50)->matches, before.matches);
  EXPECT_EQ(all_results(store).size(), 3u);
}

TYPED_TEST(StoreContractResults, BotStatsCountOnceForBotsStillInTheGarage) {
  auto& store = this->fx.store;
  const std::uint32_t b1 = store.create_bot(1, garage_bot("one"), 8)->id;
  const std::uint32_t b2 = store.create_bot(2, garage_bot("two"), 8)->id;
  const std::uint32_t b3 = store.create_bot(3, garage_bot("gone"), 8)->id;
  ASSERT_TRUE(*store.delete_bot(3, b3));
  // 1st: account 1 (bot b1), 2nd: account 2 (b2), 3rd: account 3 (its bot
  // was deleted), 4th: account 4, a guest with an un-garaged bot (id 0).
  MatchResult r = ffa_result(5, {1, 2, 3, 4});
  r.rows[0].bot_id = b1;
  r.rows[1].bot_id = b2;
  r.rows[2].bot_id = b3;
  r.rows[3].bot_id = 0;
  ASSERT_TRUE(*store.submit_result(r));
  EXPECT_EQ(store.list_bots(1)->at(0).stats, (BotStats{.matches = 1, .wins = 1, .kills = 3, .deaths = 0}));
  EXPECT_EQ(store.list_bots(2)->at(0).stats, (BotStats{.matches = 1, .wins = 0, .kills = 2, .deaths = 1}));
  EXPECT_TRUE(store.list_bots(3)->empty());
  EXPECT_TRUE(store.list_bots(4)->empty());
  for (AccountId a : {1, 2, 3, 4}) EXPECT_EQ(rating_of(store, a).matches, 1u) << a;  // all rated

  // A duplicate does not count again; the next match adds up.
  EXPECT_FALSE(*store.submit_result(r));
  EXPECT_EQ(store.list_bots(1)->at(0).stats.matches, 1u);
  MatchResult next = ffa_result(6, {2, 1});
  next.rows[0].bot_id = b2;
  next.rows[1].bot_id = b1;
  ASSERT_TRUE(*store.submit_result(next));
  EXPECT_EQ(store.list_bots(1)->at(0).stats, (BotStats{.matches = 2, .wins = 1, .kills = 3, .deaths = 1}));
  EXPECT_EQ(store.list_bots(2)->at(0).stats, (BotStats{.matches = 2, .wins = 1, .kills = 3, .deaths = 1}));
}

TYPED_TEST(StoreContractResults, ABotCreatedAgainAfterDeletionStartsWithoutOldStats) {
  auto& store = this->fx.store;
  const std::uint32_t old_bot = store.create_bot(1, garage_bot("old"), 8)->id;
  MatchResult r = ffa_result(1, {1, 2});
  r.rows[0].bot_id = old_bot;
  ASSERT_TRUE(*store.submit_result(r));
  ASSERT_TRUE(*store.delete_bot(1, old_bot));
  const BotRecord fresh = *store.create_bot(1, garage_bot("new"), 8);
  EXPECT_NE(fresh.id, old_bot);  // ids are never reused
  EXPECT_EQ(fresh.stats, BotStats{});
  // A late result for the deleted bot counts nowhere.
  MatchResult late = ffa_result(2, {1, 2});
  late.rows[0].bot_id = old_bot;
  ASSERT_TRUE(*store.submit_result(late));
  EXPECT_EQ(store.list_bots(1)->at(0).stats, BotStats{});
}

// ---- Redis only --------------------------------------------------------------

namespace {

std::string hget(const std::string& key, const std::string& field) {
  return RedisFixture::server->command({"HGET", key, field});
}

}  // namespace

TEST(RedisResults, StreamEntryMarkerAndRatingLayout) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  ASSERT_TRUE(*fx.store.submit_result(ffa_result(77, {1, 2})));
  EXPECT_EQ(redis.command({"XLEN", "qbot:results"}), "1");
  // Readable fields next to the encoded result, for tools and operators.
  const std::string entry = redis.command({"XRANGE", "qbot:results", "-", "+"});
  EXPECT_NE(entry.find("match 77 server srv-1 mode ffa"), std::string::npos) << entry;
  // The marker ({digest}:{tag}:{stream entry id}) never expires.
  const std::string marker = redis.command({"GET", "qbot:result:77"});
  const std::string entry_id = marker.substr(marker.rfind(':') + 1);
  EXPECT_EQ(marker.find(token::to_hex(token::digest(encode_result(ffa_result(77, {1, 2}))))), 0u) << marker;
  EXPECT_EQ(entry.rfind(entry_id, 0), 0u) << marker;
  EXPECT_EQ(redis.command({"TTL", "qbot:result:77"}), "-1");
  EXPECT_EQ(hget("qbot:rating:2", "matches"), "1");
  EXPECT_EQ(std::stod(hget("qbot:rating:2", "rating")), fx.store.rating(2)->rating);
  EXPECT_EQ(redis.command({"TTL", "qbot:rating:2"}), "-1");
}

TEST(RedisResults, ServersSharingAPlayerBothCommitEveryResult) {
  // Two servers finish 50 matches each, all with player 1: every result
  // must land once, and player 1's rating must have seen all 100 (the
  // optimistic check makes a server that read a stale rating recompute).
  RedisFixture fx;
  constexpr int kPerServer = 50;
  std::atomic<int> applied{0};
  std::atomic<std::uint64_t> retries{0};
  std::latch go(2);
  auto server = [&](MatchId first_id) {
    auto store = RedisFixture::another_store();
    go.arrive_and_wait();
    for (MatchId id = first_id; id < first_id + kPerServer; ++id) {
      // Player 1 wins the even matches and loses the odd ones.
      const AccountId opponent = 1000 + id;
      const auto by_place = id % 2 == 0 ? std::vector<AccountId>{1, opponent} : std::vector<AccountId>{opponent, 1};
      auto r = store->submit_result(ffa_result(id, by_place));
      if (r.ok() && *r) {
        applied += 1;
      } else {
        ADD_FAILURE() << "match " << id << ": " << (r.ok() ? "duplicate" : r.error().message);
      }
    }
    retries += store->result_retries();
  };
  std::thread a(server, 1);
  std::thread b(server, 1 + kPerServer);
  a.join();
  b.join();
  RecordProperty("submit_retries", std::to_string(retries.load()));  // how contended the run was
  EXPECT_EQ(applied.load(), 2 * kPerServer);
  EXPECT_EQ(fx.store.rating(1)->matches, 2u * kPerServer);
  EXPECT_EQ(RedisFixture::server->command({"XLEN", "qbot:results"}), std::to_string(2 * kPerServer));
  for (MatchId id = 1; id <= 2 * kPerServer; ++id) EXPECT_EQ(fx.store.rating(1000 + id)->matches, 1u);
}

TEST(RedisResults, SameResultRacingFromTwoServersIsAppliedOnce) {
  RedisFixture fx;
  auto other = RedisFixture::another_store();
  constexpr MatchId kRaces = 20;
  for (MatchId id = 1; id <= kRaces; ++id) {
    const MatchResult result = ffa_result(id, {1, 2, 3});
    std::atomic<int> applied{0}, duplicates{0};
    std::latch go(2);
    auto deliver = [&](RedisStore& store) {
      go.arrive_and_wait();
      auto r = store.submit_result(result);
      ASSERT_TRUE(r.ok()) << r.error().message;
      (*r ? applied : duplicates) += 1;
    };
    std::thread a(deliver, std::ref(fx.store));
    std::thread b(deliver, std::ref(*other));
    a.join();
    b.join();
    EXPECT_EQ(applied.load(), 1) << "match " << id;
    EXPECT_EQ(duplicates.load(), 1) << "match " << id;
  }
  EXPECT_EQ(RedisFixture::server->command({"XLEN", "qbot:results"}), std::to_string(kRaces));
  EXPECT_EQ(fx.store.rating(1)->matches, kRaces);
}

TEST(RedisResults, HostileRatingsRestartFreshAndAreCounted) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  redis.command({"HSET", "qbot:rating:1", "rating", "nan", "deviation", "100", "volatility", "0.06", "matches", "3"});
  redis.command({"HSET", "qbot:rating:2", "rating", "1500", "deviation", "5", "volatility", "0.06", "matches", "3"});
  redis.command({"HSET", "qbot:rating:3", "rating", "1500"});  // fields missing
  redis.command({"HSET", "qbot:rating:4", "rating", "1600", "deviation", "80", "volatility", "0.06", "matches", "x"});
  for (AccountId a : {1, 2, 3, 4}) EXPECT_EQ(*fx.store.rating(a), Rating{}) << a;
  EXPECT_EQ(fx.store.malformed_entries(), 4u);
  // Rating a match replaces the broken hashes with sound ones.
  ASSERT_TRUE(*fx.store.submit_result(ffa_result(1, {1, 2, 3, 4})));
  EXPECT_EQ(fx.store.rating(4)->matches, 1u);
  EXPECT_GT(fx.store.rating(1)->rating, 1500.0);
  const auto before = fx.store.malformed_entries();
  EXPECT_EQ(fx.store.rating(1)->matches, 1u);
  EXPECT_EQ(fx.store.malformed_entries(), before);
}

TEST(RedisResults, HostileStatCountersRestartAtZero) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  const std::uint32_t bot = fx.store.create_bot(1, garage_bot("one"), 8)->id;
  const std::string b = std::to_string(bot);
  redis.command({"HSET", "qbot:botstats:1", b + ":matches", "lots", b + ":wins", "-3", b + ":kills", "7"});
  ASSERT_TRUE(*fx.store.submit_result(ffa_result(1, {1, 2}, bot)));
  EXPECT_EQ(hget("qbot:botstats:1", b + ":matches"), "1");
  EXPECT_EQ(hget("qbot:botstats:1", b + ":wins"), "1");
  EXPECT_EQ(hget("qbot:botstats:1", b + ":kills"), "8");
  EXPECT_EQ(fx.store.list_bots(1)->at(0).stats, (BotStats{.matches = 1, .wins = 1, .kills = 8, .deaths = 0}));
}

TEST(RedisResults, HostileStreamEntriesAreSkippedAndCounted) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  ASSERT_TRUE(*fx.store.submit_result(ffa_result(1, {1, 2})));
  redis.command({"XADD", "qbot:results", "*", "r", "garbage"});
  redis.command({"XADD", "qbot:results", "*", "match", "2"});  // no `r`
  ASSERT_TRUE(*fx.store.submit_result(ffa_result(3, {1, 2})));
  auto all = fx.store.results(0, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].match_id, 3u);
  EXPECT_EQ(fx.store.malformed_entries(), 2u);
  // `after` counts results, so paging past the broken entries still works.
  EXPECT_EQ(fx.store.results(1, 10)->at(0).match_id, 3u);
}

TEST(RedisResults, ResultsPageAcrossStreamBatches) {
  RedisFixture fx;
  constexpr MatchId kMatches = 600;  // more than one XRANGE batch
  for (MatchId id = 1; id <= kMatches; ++id) ASSERT_TRUE(*fx.store.submit_result(ffa_result(id, {id, id + 10000})));
  auto page = fx.store.results(290, 300);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 300u);
  EXPECT_EQ(page->front().match_id, 291u);
  EXPECT_EQ(page->back().match_id, 590u);
  EXPECT_EQ(fx.store.results(0, 10000)->size(), kMatches);
}

TEST(RedisResults, WrongTypeKeyFailsWithoutHalfApplying) {
  RedisFixture fx;
  auto& redis = *RedisFixture::server;
  redis.command({"SET", "qbot:results", "not a stream"});
  auto r = fx.store.submit_result(ffa_result(1, {1, 2}));
  ASSERT_FALSE(r.ok());
  // Io, not Invalid: the result is fine, the caller journals and retries it.
  EXPECT_EQ(r.error().kind, StoreError::Kind::Io);
  EXPECT_EQ(redis.command({"EXISTS", "qbot:result:1", "qbot:rating:1", "qbot:rating:2"}), "0");
  redis.command({"DEL", "qbot:results"});
  EXPECT_TRUE(*fx.store.submit_result(ffa_result(1, {1, 2})));
}

TEST(RedisResults, UnreachableRedisIsAnIoError) {
  auto owned = redis_store_of("redis://127.0.0.1:1", kUnitFleetSecret, 200ms);
  RedisStore& store = *owned;
  auto r = store.submit_result(ffa_result(1, {1, 2}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, StoreError::Kind::Io);
  EXPECT_EQ(store.rating(1).error().kind, StoreError::Kind::Io);
  EXPECT_EQ(store.results(0, 1).error().kind, StoreError::Kind::Io);
}
