// Lobby messages (garage, queue, assignment): round trips, and every range
// check names the field it refused.
#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include "proto/codec.h"
#include "proto/version.h"
#include "qbot/schemas/messages_generated.h"

using namespace qbot::proto;

namespace {
std::vector<std::uint8_t> copy(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

template <class T>
T round_trip(const T& msg, Sender sender) {
  Encoder enc;
  const auto bytes = copy(enc.encode(msg));
  auto m = decode(bytes, sender, 0);
  EXPECT_TRUE(m.ok()) << m.error().describe();
  return m.ok() ? std::get<T>(*m) : T{};
}

std::string bad_field(const Message& msg, Sender sender) {
  Encoder enc;
  const auto bytes = copy(enc.encode(msg));
  auto m = decode(bytes, sender, 0);
  if (m.ok()) return "accepted";
  EXPECT_EQ(m.error().kind, DecodeErrorKind::BadField);
  return m.error().field;
}

Loadout sample_loadout() { return {"rex", "striker", "blaster", "rockets", "shield", 0x336699}; }
}  // namespace

TEST(LobbyCodec, HelloAndWelcomeCarryAccountAndLobby) {
  Hello h;
  h.protocol_version = kProtocolVersion;
  h.lobby = true;
  h.account_token.assign(49, 7);
  const Hello back = round_trip(h, Sender::Client);
  EXPECT_TRUE(back.lobby);
  EXPECT_EQ(back.account_token, h.account_token);

  Welcome w;
  w.protocol_version = kProtocolVersion;
  w.tick_rate = 60;
  w.account_id = 123456789012345ull;
  w.account_token.assign(49, 3);
  w.lobby = true;
  w.match_id = 42;
  const Welcome wb = round_trip(w, Sender::Server);
  EXPECT_EQ(wb.account_id, w.account_id);
  EXPECT_EQ(wb.account_token, w.account_token);
  EXPECT_TRUE(wb.lobby);
  EXPECT_EQ(wb.match_id, 42u);

  h.account_token.assign(kMaxAccountTokenBytes + 1, 1);
  EXPECT_EQ(bad_field(h, Sender::Client), "account_token");
}

TEST(LobbyCodec, GarageRequestRoundTripsAndNeedsWhatItsOpNeeds) {
  GarageRequest r{9, GarageOp::Update, 3, sample_loadout()};
  const GarageRequest back = round_trip(r, Sender::Client);
  EXPECT_EQ(back.request_id, 9u);
  EXPECT_EQ(back.op, GarageOp::Update);
  EXPECT_EQ(back.bot_id, 3u);
  ASSERT_TRUE(back.loadout.has_value());
  EXPECT_EQ(*back.loadout, sample_loadout());

  EXPECT_EQ(bad_field(GarageRequest{1, GarageOp::Create, 0, std::nullopt}, Sender::Client), "loadout");
  EXPECT_EQ(bad_field(GarageRequest{1, GarageOp::Delete, 0, std::nullopt}, Sender::Client), "bot_id");
  EXPECT_EQ(bad_field(GarageRequest{1, GarageOp::List, 0, std::nullopt}, Sender::Client), "accepted");
  // Hostile sizes by hand: the encoder would clip them.
  flatbuffers::FlatBufferBuilder fbb;
  const std::string long_id(kMaxPartIdBytes + 1, 'x');
  auto lo = qbot::wire::CreateLoadoutDirect(fbb, "n", long_id.c_str(), "laser", "laser", "emp", 0);
  auto req = qbot::wire::CreateGarageRequest(fbb, 1, qbot::wire::GarageOp::Create, 0, lo);
  fbb.Finish(qbot::wire::CreateEnvelope(fbb, qbot::wire::Message::GarageRequest, req.Union()));
  auto bad = decode({fbb.GetBufferPointer(), fbb.GetSize()}, Sender::Client, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "loadout.chassis");
}

TEST(LobbyCodec, GarageReplyRoundTripsWithBotsAndRating) {
  GarageReply r;
  r.request_id = 4;
  r.status = GarageStatus::GarageFull;
  r.text = "8 bots at most";
  r.bots.push_back(GarageBot{1, sample_loadout(), 10, 3, 25, 12});
  r.bots.push_back(GarageBot{5, sample_loadout(), 0, 0, 0, 0});
  r.rating = 1623.5;
  r.rating_deviation = 80.25;
  r.rated_matches = 10;
  r.bot = 5;
  const GarageReply back = round_trip(r, Sender::Server);
  EXPECT_EQ(back.status, GarageStatus::GarageFull);
  EXPECT_EQ(back.text, r.text);
  EXPECT_EQ(back.bots, r.bots);
  EXPECT_DOUBLE_EQ(back.rating, 1623.5);
  EXPECT_DOUBLE_EQ(back.rating_deviation, 80.25);
  EXPECT_EQ(back.rated_matches, 10u);
  EXPECT_EQ(back.bot, 5u);
  EXPECT_EQ(garage_status_name(GarageStatus::GarageFull), "garage_full");
}

TEST(LobbyCodec, QueueMessagesRoundTripAndBoundPartyAndRegion) {
  QueueRequest q{GameMode::TeamDeathmatch, "eu-west", 2, "crew42", 3};
  const QueueRequest back = round_trip(q, Sender::Client);
  EXPECT_EQ(back.mode, GameMode::TeamDeathmatch);
  EXPECT_EQ(back.region, "eu-west");
  EXPECT_EQ(back.bot_id, 2u);
  EXPECT_EQ(back.party, "crew42");
  EXPECT_EQ(back.party_size, 3);

  EXPECT_EQ(bad_field(QueueRequest{GameMode::FreeForAll, "eu", 0, "", 0}, Sender::Client), "party_size");
  EXPECT_EQ(bad_field(QueueRequest{GameMode::FreeForAll, "eu", 0, "", kMaxPartySize + 1}, Sender::Client),
            "party_size");
  flatbuffers::FlatBufferBuilder fbb;
  const std::string long_region(kMaxRegionBytes + 1, 'r');
  auto req = qbot::wire::CreateQueueRequestDirect(fbb, qbot::wire::GameMode::FreeForAll, long_region.c_str(), 0);
  fbb.Finish(qbot::wire::CreateEnvelope(fbb, qbot::wire::Message::QueueRequest, req.Union()));
  auto bad = decode({fbb.GetBufferPointer(), fbb.GetSize()}, Sender::Client, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "region");

  EXPECT_EQ(round_trip(CancelQueue{77}, Sender::Client).request_id, 77u);

  QueueStatus s{QueueState::Waiting, 3, 40, 1500, 4000, ""};
  const QueueStatus sb = round_trip(s, Sender::Server);
  EXPECT_EQ(sb.state, QueueState::Waiting);
  EXPECT_EQ(sb.position, 3u);
  EXPECT_EQ(sb.queue_length, 40u);
  EXPECT_EQ(sb.waited_ms, 1500u);
  EXPECT_EQ(sb.estimated_wait_ms, 4000u);
}

TEST(LobbyCodec, MatchAssignedRoundTripsAndRefusesHolesInIt) {
  MatchAssigned a{"10.1.2.3", 7777, 99, std::vector<std::uint8_t>(90, 5), GameMode::TeamDeathmatch, 2};
  const MatchAssigned back = round_trip(a, Sender::Server);
  EXPECT_EQ(back.host, "10.1.2.3");
  EXPECT_EQ(back.port, 7777);
  EXPECT_EQ(back.match_id, 99u);
  EXPECT_EQ(back.join_token, a.join_token);
  EXPECT_EQ(back.team, 2);

  MatchAssigned no_port = a;
  no_port.port = 0;
  EXPECT_EQ(bad_field(no_port, Sender::Server), "port");
  MatchAssigned no_token = a;
  no_token.join_token.clear();
  EXPECT_EQ(bad_field(no_token, Sender::Server), "join_token");
  MatchAssigned no_match = a;
  no_match.match_id = 0;
  EXPECT_EQ(bad_field(no_match, Sender::Server), "match_id");
}

// A cut that only drops trailing alignment padding may still verify; then it
// must decode to exactly the message that was sent.
TEST(LobbyCodec, EveryTruncationOfALobbyMessageIsRejectedOrLosesNothing) {
  Encoder enc;
  const std::vector<Message> samples = {
      Message{GarageRequest{1, GarageOp::Create, 0, sample_loadout()}},
      Message{QueueRequest{GameMode::FreeForAll, "eu", 1, "p", 2}},
      Message{MatchAssigned{"h", 1, 2, {1, 2, 3}, GameMode::FreeForAll, 0}},
  };
  for (const Message& msg : samples) {
    const auto bytes = copy(enc.encode(msg));
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      auto cut = decode(std::span(bytes.data(), n), Sender::Server, 0);
      if (!cut.ok()) continue;
      Encoder again;
      EXPECT_EQ(copy(again.encode(*cut)), bytes) << message_name(msg) << " truncated to " << n;
    }
  }
}
