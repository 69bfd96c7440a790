// HostedMatches: who a join token admits, in which order the checks run,
// and what a finished matchmade battle becomes in the Store.
#include <gtest/gtest.h>

#include "proto/version.h"
#include "server/matchmade/hosted_matches.h"

using namespace qbot;
using namespace qbot::server;
using proto::RejectReason;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t kNow = 1'800'000'000'000;

struct Fixture {
  token::Key key = token::derive_key("hosted matches test secret");
  HostedMatches hosted{key, "srv-1", 4};

  std::string token(MatchId match, AccountId account, std::string server = "srv-1",
                    std::uint64_t expires = kNow + 60000, std::uint16_t version = proto::kProtocolVersion) const {
    return token::sign_join(key, {version, match, account, std::move(server), expires});
  }
  RejectReason refusal(const std::string& t) {
    auto r = hosted.admit(token::bytes(t), kNow);
    EXPECT_FALSE(r.ok());
    return r.ok() ? RejectReason::Unknown : r.error().reason;
  }
  HostedMatch* host(MatchId id, std::vector<AccountId> accounts) {
    MatchAssignment m;
    m.id = id;
    m.mode = "ffa";
    m.server_id = "srv-1";
    for (AccountId a : accounts) m.slots.push_back({a, 0, {}, 1500.0, ""});
    return hosted.add(std::move(m), 10s);
  }
};

}  // namespace

TEST(HostedMatches, AdmitsAValidTokenOnceAndCountsTheSeat) {
  Fixture f;
  ASSERT_NE(f.host(5, {11, 12}), nullptr);
  EXPECT_EQ(f.host(5, {11, 12}), nullptr) << "a match id is hosted once";
  EXPECT_EQ(f.hosted.open_seats(), 2u);
  auto in = f.hosted.admit(token::bytes(f.token(5, 11)), kNow);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->slot->account, 11u);
  EXPECT_EQ(in->match->assignment.id, 5u);
  EXPECT_EQ(f.hosted.open_seats(), 1u);
  EXPECT_EQ(f.refusal(f.token(5, 11)), RejectReason::TokenReplayed);
}

TEST(HostedMatches, EveryBadTokenGetsItsReasonAndSpendsNothing) {
  Fixture f;
  f.host(5, {11, 12});
  std::string forged = f.token(5, 12);
  forged[3] ^= 0x40;
  EXPECT_EQ(f.refusal(forged), RejectReason::InvalidToken);
  EXPECT_EQ(f.refusal("not a token"), RejectReason::InvalidToken);
  EXPECT_EQ(f.refusal(f.token(5, 12, "srv-1", kNow - 1)), RejectReason::TokenExpired);
  EXPECT_EQ(f.refusal(f.token(5, 12, "srv-1", kNow + 60000, 1)), RejectReason::InvalidToken) << "old protocol";
  EXPECT_EQ(f.refusal(f.token(5, 12, "srv-2")), RejectReason::WrongServer);
  EXPECT_EQ(f.refusal(f.token(5, 13)), RejectReason::WrongMatch) << "no seat";
  auto unknown = f.hosted.admit(token::bytes(f.token(6, 12)), kNow);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().reason, RejectReason::WrongMatch);
  EXPECT_TRUE(unknown.error().not_yet_known) << "the server may wait for its inbox";
  EXPECT_TRUE(f.hosted.admit(token::bytes(f.token(5, 12)), kNow).ok()) << "refusals spent nothing";
}

TEST(HostedMatches, TheStoreResultKeepsAccountedRowsWithTheirBots) {
  Fixture f;
  HostedMatch* m = f.host(9, {11, 12});
  proto::MatchEnded ended{9, proto::EndReason::TimeLimit, 0, {}};
  ended.results.push_back({1, 1, "a", 0, 3, 1, 300, 3, 1, 11});
  ended.results.push_back({2, 2, "b", 0, 1, 3, 100, 1, 2, 12});
  ended.results.push_back({3, 3, "guest", 0, 0, 0, 0, 0, 3, 0});  // not matchmade: cannot be rated
  std::vector<ArenaPlayer> players{{1, 1, 1, "a", 0, {}, 11, 4}, {2, 2, 2, "b", 0, {}, 12, 0}};
  const MatchResult r = store_result(m->assignment, ended, players, kNow);
  EXPECT_EQ(r.match_id, 9u);
  EXPECT_EQ(r.server_id, "srv-1");
  EXPECT_EQ(r.mode, "ffa");
  EXPECT_EQ(r.ended_ms, kNow);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].account, 11u);
  EXPECT_EQ(r.rows[0].bot_id, 4u);
  EXPECT_EQ(r.rows[0].kills, 3u);
  EXPECT_EQ(r.rows[0].placement, 1);
  EXPECT_EQ(r.rows[1].bot_id, 0u);
}
