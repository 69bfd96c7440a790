#include <gtest/gtest.h>

#include <algorithm>

#include "server/session/session_table.h"

using namespace qbot;
using namespace qbot::server;
using namespace std::chrono_literals;

namespace {
Session fresh(SessionId id, std::chrono::nanoseconds now = 0ns) { return Session(id, net::PeerRef{}, now, 5s, 240, 3); }
}  // namespace

TEST(SessionTable, ReconnectTokensAreRandomIndexedAndRevokedWithTheirSession) {
  SessionTable t;
  Session& a = t.add(fresh(1));
  Session& b = t.add(fresh(2));
  t.issue_reconnect_token(a);
  t.issue_reconnect_token(b);
  EXPECT_EQ(a.reconnect_token.size(), 16u);
  EXPECT_NE(a.reconnect_token, b.reconnect_token);
  EXPECT_EQ(t.find_by_reconnect_token(a.reconnect_token), &a);
  EXPECT_EQ(t.find_by_reconnect_token(b.reconnect_token), &b);

  const std::string old = a.reconnect_token;
  t.issue_reconnect_token(a);  // a new token replaces the old one
  EXPECT_EQ(t.find_by_reconnect_token(old), nullptr);
  EXPECT_EQ(t.find_by_reconnect_token(a.reconnect_token), &a);

  const std::string bs = b.reconnect_token;
  t.erase(2);
  EXPECT_EQ(t.find(2), nullptr);
  EXPECT_EQ(t.find_by_reconnect_token(bs), nullptr);
  EXPECT_EQ(t.size(), 1u);
}

TEST(SessionTable, DueListsExactlyTheSessionsWhoseDeadlinePassed) {
  SessionTable t;
  t.add(fresh(1, 0s));   // deadline 5 s
  t.add(fresh(2, 2s));   // 7 s
  t.add(fresh(3, 10s));  // 15 s
  std::vector<SessionId> due;
  t.due(4s, due);
  EXPECT_TRUE(due.empty());
  t.due(7s, due);
  std::sort(due.begin(), due.end());
  EXPECT_EQ(due, (std::vector<SessionId>{1, 2}));
  t.find(3)->state = SessionState::Lobby;
  t.in_state(SessionState::Lobby, due);
  EXPECT_EQ(due, (std::vector<SessionId>{3}));
}

TEST(SessionTable, AFloodIsDroppedThenKickedButABurstOnlyDropped) {
  Session s = fresh(1);
  // 240 packets/s, bucket of 60: the first 60 at one instant pass.
  int accepted = 0, dropped = 0, kicked = 0;
  for (int i = 0; i < 400; ++i) {
    switch (s.admit_packet(1s, 240)) {
      case PacketVerdict::Accept: ++accepted; break;
      case PacketVerdict::Drop: ++dropped; break;
      case PacketVerdict::Kick: ++kicked; break;
    }
  }
  EXPECT_EQ(accepted, 60);
  EXPECT_EQ(dropped, 240);  // a second's worth of excess is tolerated ...
  EXPECT_EQ(kicked, 100);   // ... beyond that, within the same second, it is a flood
}
