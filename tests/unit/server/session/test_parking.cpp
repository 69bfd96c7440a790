// decide_parking: a dropped player's reconnect slot is bounded like a live
// connection (per address, per account, near capacity).
#include <gtest/gtest.h>

#include "server/session/parking.h"

using namespace qbot;
using namespace qbot::server;
using namespace std::chrono_literals;

namespace {

constexpr std::uint32_t kIp = 0x0100007F;

Session player(SessionId id, AccountId account = 0, bool played = true, std::uint32_t ip = kIp) {
  Session s(id, net::PeerRef{}, 0ns, 5s, 240, 3);
  s.ip = ip;
  s.account = account;
  s.played = played;
  s.state = SessionState::Active;
  return s;
}

ParkingDecision decide(const Session& s, const SessionTable& t, std::size_t players = 10,
                       std::size_t max_clients = 100) {
  return decide_parking(ParkingView{s, t, players, max_clients, 30, 4});
}

}  // namespace

TEST(Parking, APlayerWhoPlayedGetsTheFullGraceAndAGuestWhoNeverPlayedNone) {
  SessionTable t;
  const Session& played = t.add(player(1));
  const Session& idle = t.add(player(2, 0, false));
  EXPECT_EQ(decide(played, t).grace, 30s);
  EXPECT_FALSE(decide(played, t).refused.has_value());
  EXPECT_EQ(decide(idle, t).grace, 0ms);
  EXPECT_EQ(decide(idle, t).refused, ParkingRefusal::NeverPlayed);
  // An account holds a seat in a match even before its first command.
  const Session& matchmade = t.add(player(3, 77, false));
  EXPECT_EQ(decide(matchmade, t).grace, 30s);
}

TEST(Parking, OneAddressParksAtMostItsCapAndOneAccountOnePlayer) {
  SessionTable t;
  for (SessionId id = 1; id <= 4; ++id) t.park(t.add(player(id)));
  const Session& fifth = t.add(player(5));
  EXPECT_EQ(decide(fifth, t).refused, ParkingRefusal::PerIp);
  EXPECT_EQ(decide(fifth, t).grace, 0ms);
  const Session& elsewhere = t.add(player(6, 0, true, 0x0200007F));
  EXPECT_EQ(decide(elsewhere, t).grace, 30s) << "another address is not held back";

  t.park(t.add(player(7, 42, true, 0x0300007F)));
  const Session& same_account = t.add(player(8, 42, true, 0x0400007F));
  EXPECT_EQ(decide(same_account, t).refused, ParkingRefusal::PerAccount);
}

TEST(Parking, TheGraceShrinksLinearlyAboveNinetyPercentOfCapacityToNoneWhenFull) {
  SessionTable t;
  const Session& s = t.add(player(1));
  EXPECT_EQ(decide(s, t, 90, 100).grace, 30s);
  EXPECT_EQ(decide(s, t, 95, 100).grace, 15s);
  EXPECT_EQ(decide(s, t, 100, 100).grace, 0ms);
  EXPECT_EQ(decide(s, t, 100, 100).refused, ParkingRefusal::Capacity);
}
