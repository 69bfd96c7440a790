// The handshake decision without ENet: a Hello and a read-only view in,
// the decision out. Every refusal carries its reason; the order of the
// checks (version, draining, then the kind of Hello) is the protocol's.
#include <gtest/gtest.h>

#include "proto/version.h"
#include "server/session/handshake.h"
#include "sim_fixture.h"

using namespace qbot;
using namespace qbot::server;
using namespace std::chrono_literals;
using proto::RejectReason;

namespace {

class Handshake : public ::testing::Test {
 protected:
  Session& add_session(SessionId id) { return sessions_.add(Session(id, net::PeerRef{}, 0ns, 5s, 240, 3)); }
  HandshakeView view(const Session& s) const {
    HandshakeView v{s, sessions_, catalog_, key_};
    v.max_clients = 8;
    return v;
  }
  static proto::Hello guest(std::string name = "Rusty") {
    proto::Hello h;
    h.protocol_version = proto::kProtocolVersion;
    h.guest_name = std::move(name);
    return h;
  }
  /// The refusal in `d` (by value: `d` is usually a temporary).
  static handshake::Refuse refusal(const HandshakeDecision& d) {
    const auto* r = std::get_if<handshake::Refuse>(&d);
    EXPECT_NE(r, nullptr) << "expected a refusal, got alternative " << d.index();
    return r != nullptr ? *r : handshake::Refuse{};
  }

  sim::Catalog catalog_ = test::test_catalog();
  token::Key key_ = token::derive_key("handshake-test-secret-0123456789");
  SessionTable sessions_;
};

}  // namespace

TEST_F(Handshake, AGuestWithAValidNameIsAdmittedWithTheCheapestLoadout) {
  Session& s = add_session(1);
  const auto d = decide_hello(guest("Rusty"), view(s));
  const auto* admit = std::get_if<handshake::AdmitGuest>(&d);
  ASSERT_NE(admit, nullptr);
  EXPECT_EQ(admit->name, "Rusty");
  EXPECT_EQ(admit->loadout.name, "Rusty");
  EXPECT_EQ(admit->loadout.chassis, test::kScout);  // the cheapest chassis of the test catalog
}

TEST_F(Handshake, AGuestsChosenLoadoutIsResolvedAndAnUnknownPartRefusedWithTheReason) {
  Session& s = add_session(1);
  proto::Hello h = guest();
  h.loadout = sim::LoadoutRequest{"Tanky", "tank", "laser", "blaster", "shield", 0x112233};
  const auto d = decide_hello(h, view(s));
  const auto* admit = std::get_if<handshake::AdmitGuest>(&d);
  ASSERT_NE(admit, nullptr);
  EXPECT_EQ(admit->loadout.chassis, test::kTank);
  EXPECT_EQ(admit->loadout.primary, test::kLaser);
  EXPECT_EQ(admit->loadout.paint, 0x112233u);

  h.loadout->chassis = "hovercraft";
  const auto r = refusal(decide_hello(h, view(s)));
  EXPECT_EQ(r.reason, RejectReason::InvalidLoadout);
  EXPECT_NE(r.text.find("hovercraft"), std::string::npos) << r.text;
}

TEST_F(Handshake, WrongProtocolVersionIsRefusedFirstNamingBothVersions) {
  Session& s = add_session(1);
  proto::Hello h = guest("");  // also a bad name: the version is checked first
  h.protocol_version = proto::kProtocolVersion + 1;
  HandshakeView v = view(s);
  v.draining = true;
  const auto r = refusal(decide_hello(h, v));
  EXPECT_EQ(r.reason, RejectReason::ProtocolMismatch);
  EXPECT_NE(r.text.find(std::to_string(proto::kProtocolVersion)), std::string::npos) << r.text;
  EXPECT_NE(r.text.find(std::to_string(proto::kProtocolVersion + 1)), std::string::npos) << r.text;
}

TEST_F(Handshake, WhileDrainingEveryKindOfHelloIsRefusedWithShuttingDown) {
  Session& s = add_session(1);
  HandshakeView v = view(s);
  v.draining = true;
  proto::Hello lobby = guest("");
  lobby.lobby = true;
  proto::Hello join = guest("");
  join.join_token = {1, 2, 3};
  for (const proto::Hello& h : {guest(), lobby, join}) {
    EXPECT_EQ(refusal(decide_hello(h, v)).reason, RejectReason::ShuttingDown);
  }
}

TEST_F(Handshake, WhileNotAdmittingGuestsAndLobbyAreRefusedButJoinsAndReconnectsAreDecided) {
  // The drain: battles in progress keep their players (joins to a match
  // hosted here, reconnects); nobody new gets in.
  Session& s = add_session(1);
  HandshakeView v = view(s);
  v.admitting = false;
  proto::Hello lobby = guest("");
  lobby.lobby = true;
  for (const proto::Hello& h : {guest(), lobby}) {
    EXPECT_EQ(refusal(decide_hello(h, v)).reason, RejectReason::ShuttingDown);
  }
  proto::Hello join = guest("");
  join.join_token = {1, 2, 3};
  const auto joined = decide_hello(join, v);
  ASSERT_TRUE(std::holds_alternative<handshake::JoinMatch>(joined)) << joined.index();
  EXPECT_EQ(std::get<handshake::JoinMatch>(joined).token, join.join_token);
  proto::Hello resume = guest("");
  resume.reconnect_token = std::vector<std::uint8_t>(16, 7);  // unknown: refused for what it is, not for the drain
  EXPECT_EQ(refusal(decide_hello(resume, v)).reason, RejectReason::InvalidToken);
}

TEST_F(Handshake, BadGuestNamesAreRefusedWithInvalidName) {
  Session& s = add_session(1);
  for (const std::string& name :
       {std::string(), std::string(25, 'a'), std::string("tab\there"), std::string("\x1b[2J")}) {
    EXPECT_EQ(refusal(decide_hello(guest(name), view(s))).reason, RejectReason::InvalidName) << name.size();
  }
  EXPECT_TRUE(std::holds_alternative<handshake::AdmitGuest>(decide_hello(guest(std::string(24, 'a')), view(s))));
}

TEST_F(Handshake, AFullServerRefusesGuestsButCountsOnlyPlayersForThem) {
  Session& s = add_session(1);
  HandshakeView v = view(s);
  v.players = 8;
  EXPECT_EQ(refusal(decide_hello(guest(), v)).reason, RejectReason::ServerFull);
  v.players = 7;
  v.lobby_sessions = 5;  // lobby sessions do not take arena slots
  EXPECT_TRUE(std::holds_alternative<handshake::AdmitGuest>(decide_hello(guest(), v)));
}

TEST_F(Handshake, ALobbyHelloCountsLobbySessionsTowardsCapacity) {
  Session& s = add_session(1);
  proto::Hello h = guest("");
  h.lobby = true;
  HandshakeView v = view(s);
  v.players = 4;
  v.lobby_sessions = 3;
  const auto d = decide_hello(h, v);
  const auto* lobby = std::get_if<handshake::EnterLobby>(&d);
  ASSERT_NE(lobby, nullptr);
  EXPECT_FALSE(lobby->account.has_value()) << "no account token: a new guest account";
  v.lobby_sessions = 4;
  EXPECT_EQ(refusal(decide_hello(h, v)).reason, RejectReason::ServerFull);
}

TEST_F(Handshake, ALobbyHelloWithAnAccountTokenKeepsThatAccountAndAForgedOneIsRefused) {
  Session& s = add_session(1);
  proto::Hello h = guest("");
  h.lobby = true;
  const std::string token = token::sign_account(key_, {4242, 1000});
  h.account_token.assign(token.begin(), token.end());
  const auto d = decide_hello(h, view(s));
  const auto* lobby = std::get_if<handshake::EnterLobby>(&d);
  ASSERT_NE(lobby, nullptr);
  EXPECT_EQ(lobby->account, AccountId{4242});

  const std::string forged = token::sign_account(token::derive_key("another-fleet-secret-000000"), {4242, 1000});
  h.account_token.assign(forged.begin(), forged.end());
  const auto r = refusal(decide_hello(h, view(s)));
  EXPECT_EQ(r.reason, RejectReason::InvalidToken);
  EXPECT_NE(r.text.find("account token"), std::string::npos) << r.text;
}

TEST_F(Handshake, AJoinTokenIsPassedOnToTheMatchHostUnchecked) {
  Session& s = add_session(1);
  proto::Hello h = guest("");
  h.join_token = {9, 8, 7};
  HandshakeView v = view(s);
  v.players = 8;  // a full server still takes matchmade players: their seats are reserved
  const auto d = decide_hello(h, v);
  const auto* join = std::get_if<handshake::JoinMatch>(&d);
  ASSERT_NE(join, nullptr);
  EXPECT_EQ(join->token, (std::vector<std::uint8_t>{9, 8, 7}));
}

TEST_F(Handshake, ASecondHelloWhileAJoinIsParkedIsIgnored) {
  Session& s = add_session(1);
  s.parked_join = {1};
  EXPECT_TRUE(std::holds_alternative<handshake::Ignore>(decide_hello(guest(), view(s))));
}

TEST_F(Handshake, AReconnectTokenResumesAnOrphanedOrActiveSessionOnly) {
  Session& old = add_session(1);
  sessions_.issue_reconnect_token(old);
  const std::string token = old.reconnect_token;
  Session& s = add_session(2);
  proto::Hello h = guest("");
  h.reconnect_token.assign(token.begin(), token.end());

  for (const SessionState resumable : {SessionState::Orphaned, SessionState::Active}) {
    sessions_.find(1)->state = resumable;
    const auto d = decide_hello(h, view(*sessions_.find(2)));
    const auto* resume = std::get_if<handshake::Resume>(&d);
    ASSERT_NE(resume, nullptr);
    EXPECT_EQ(resume->old, SessionId{1});
  }
  for (const SessionState gone : {SessionState::Closing, SessionState::Lobby, SessionState::AwaitingHello}) {
    sessions_.find(1)->state = gone;
    EXPECT_EQ(refusal(decide_hello(h, view(*sessions_.find(2)))).reason, RejectReason::InvalidToken);
  }
  (void)s;
}

TEST_F(Handshake, AnUnknownOrOwnOrRevokedReconnectTokenIsRefused) {
  Session& s = add_session(1);
  s.state = SessionState::Active;
  sessions_.issue_reconnect_token(s);
  proto::Hello h = guest("");
  h.reconnect_token.assign(s.reconnect_token.begin(), s.reconnect_token.end());
  EXPECT_EQ(refusal(decide_hello(h, view(s))).reason, RejectReason::InvalidToken) << "its own token";

  Session& other = add_session(2);
  EXPECT_TRUE(std::holds_alternative<handshake::Resume>(decide_hello(h, view(other))));
  sessions_.revoke_reconnect_token(*sessions_.find(1));
  EXPECT_EQ(refusal(decide_hello(h, view(*sessions_.find(2)))).reason, RejectReason::InvalidToken) << "revoked";

  h.reconnect_token = std::vector<std::uint8_t>(16, 0xAB);
  EXPECT_EQ(refusal(decide_hello(h, view(*sessions_.find(2)))).reason, RejectReason::InvalidToken) << "unknown";
}
