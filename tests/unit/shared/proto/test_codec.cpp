#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <set>

#include "proto/codec.h"
#include "proto/version.h"
#include "qbot/schemas/messages_generated.h"

using namespace qbot::proto;

namespace {
std::vector<std::uint8_t> copy(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

Hello sample_hello() {
  Hello h;
  h.protocol_version = kProtocolVersion;
  h.guest_name = "ada";
  h.client_build = "test 1.0";
  return h;
}
}  // namespace

TEST(Codec, HelloRoundTrips) {
  Encoder enc;
  auto bytes = copy(enc.encode(sample_hello()));
  auto m = decode(bytes, Sender::Client, 0);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  const auto& h = std::get<Hello>(*m);
  EXPECT_EQ(h.protocol_version, kProtocolVersion);
  EXPECT_EQ(h.guest_name, "ada");
  EXPECT_EQ(h.client_build, "test 1.0");
  EXPECT_TRUE(h.join_token.empty());
}

TEST(Codec, WelcomeRejectSnapshotAndEventsRoundTrip) {
  Encoder enc;
  Welcome w{kProtocolVersion,         7, 3, 2,  60,   1, 1234, "foundry", "srv-1",
            GameMode::TeamDeathmatch, 2, 5, {}, true, 0, {},   false,     0};
  w.reconnect_token.assign(kReconnectTokenBytes, 9);
  auto wb = copy(enc.encode(w));
  auto wm = decode(wb, Sender::Server, 0);
  ASSERT_TRUE(wm.ok());
  EXPECT_EQ(std::get<Welcome>(*wm).server_tick, 1234u);
  EXPECT_EQ(std::get<Welcome>(*wm).map_name, "foundry");
  EXPECT_EQ(std::get<Welcome>(*wm).mode, GameMode::TeamDeathmatch);
  EXPECT_EQ(std::get<Welcome>(*wm).team, 2);
  EXPECT_EQ(std::get<Welcome>(*wm).catalog_version, 5u);
  EXPECT_EQ(std::get<Welcome>(*wm).reconnect_token, w.reconnect_token);
  EXPECT_TRUE(std::get<Welcome>(*wm).reconnected);

  auto rb = copy(enc.encode(Reject{RejectReason::ServerFull, "full"}));
  auto rm = decode(rb, Sender::Server, 0);
  ASSERT_TRUE(rm.ok());
  EXPECT_EQ(std::get<Reject>(*rm).reason, RejectReason::ServerFull);

  const std::vector<std::uint8_t> ents{1, 2, 3};
  auto sb = copy(enc.encode(Snapshot{100, ents}));
  EXPECT_FALSE(decode(sb, Sender::Server, 0).ok()) << "a Snapshot travels bare on channel 1 only";
  auto sm = decode(sb, Sender::Server, 1);
  ASSERT_TRUE(sm.ok());
  const auto& s = std::get<Snapshot>(*sm);
  EXPECT_EQ(s.server_tick, 100u);
  EXPECT_EQ(std::vector<std::uint8_t>(s.data.begin(), s.data.end()), ents);
  EXPECT_LE(sb.size(), ents.size() + 32) << "the hot path carries little framing";

  const Loadout l{"Rusty", "tank", "laser", "blaster", "emp", 0x112233};
  auto eb = copy(enc.encode(MatchEvent{9, PlayerJoined{4, 2, "bob", 1, l}}));
  auto em = decode(eb, Sender::Server, 0);
  ASSERT_TRUE(em.ok());
  EXPECT_EQ(std::get<PlayerJoined>(std::get<MatchEvent>(*em).body).name, "bob");
  EXPECT_EQ(std::get<PlayerJoined>(std::get<MatchEvent>(*em).body).loadout, l);
}

TEST(Codec, MatchEventsRoundTrip) {
  Encoder enc;
  const std::vector<MatchEvent> events{
      {10, PhaseChanged{MatchPhase::Countdown, 310, 0, "foundry"}},
      {20, PhaseChanged{MatchPhase::Battle, 18020, 0xfeedface12345678ULL, "crossfire"}},
      {30, Kill{3, 7, "missiles"}},
      {40, MatchEnded{0xfeedface12345678ULL,
                      EndReason::ScoreLimit,
                      2,
                      {{1, 3, "ada", 2, 20, 4, 1800, 20, 1}, {2, 7, "bob", 1, 3, 12, 500, 3, 2}}}},
  };
  for (const MatchEvent& e : events) {
    auto bytes = copy(enc.encode(e));
    auto m = decode(bytes, Sender::Server, 0);
    ASSERT_TRUE(m.ok()) << m.error().describe();
    const auto& got = std::get<MatchEvent>(*m);
    EXPECT_EQ(got.tick, e.tick);
    ASSERT_EQ(got.body.index(), e.body.index());
    if (const auto* p = std::get_if<PhaseChanged>(&e.body)) {
      const auto& q = std::get<PhaseChanged>(got.body);
      EXPECT_EQ(q.phase, p->phase);
      EXPECT_EQ(q.ends_tick, p->ends_tick);
      EXPECT_EQ(q.match_id, p->match_id);
      EXPECT_EQ(q.map_name, p->map_name);
    } else if (const auto* k = std::get_if<Kill>(&e.body)) {
      EXPECT_EQ(std::get<Kill>(got.body).weapon, k->weapon);
      EXPECT_EQ(std::get<Kill>(got.body).victim, k->victim);
    } else if (const auto* end = std::get_if<MatchEnded>(&e.body)) {
      EXPECT_EQ(std::get<MatchEnded>(got.body).results, end->results);
      EXPECT_EQ(std::get<MatchEnded>(got.body).winner_team, 2);
    }
  }
}

TEST(Codec, HelloLoadoutRoundTripsAndOverlongPartIdsAreBadFields) {
  Encoder enc;
  Hello h = sample_hello();
  h.loadout = Loadout{"Rusty", "tank", "laser", "blaster", "emp", 0x112233};
  auto bytes = copy(enc.encode(h));
  auto m = decode(bytes, Sender::Client, 0);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  EXPECT_EQ(std::get<Hello>(*m).loadout, h.loadout);

  // Build a hostile Hello by hand: the encoder would clip the id.
  flatbuffers::FlatBufferBuilder fbb;
  const std::string long_id(200, 'x');
  auto lo = qbot::wire::CreateLoadoutDirect(fbb, "n", long_id.c_str(), "laser", "laser", "emp", 0);
  auto hello = qbot::wire::CreateHelloDirect(fbb, kProtocolVersion, nullptr, "ada", nullptr, lo);
  fbb.Finish(qbot::wire::CreateEnvelope(fbb, qbot::wire::Message::Hello, hello.Union()));
  auto bad = decode({fbb.GetBufferPointer(), fbb.GetSize()}, Sender::Client, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "loadout.chassis");
}

TEST(Codec, InputRoundTripsWithRedundantCommands) {
  Encoder enc;
  Input in;
  in.ack_snapshot = 77;
  for (std::uint32_t i = 0; i < 4; ++i) {
    in.commands[i] = {10 + i, 70, static_cast<std::uint16_t>(1000 * i), 127, -127, qbot::sim::kFirePrimary};
  }
  in.count = 4;
  auto bytes = copy(enc.encode(in));
  EXPECT_FALSE(decode(bytes, Sender::Client, 0).ok()) << "an Input travels bare on channel 1 only";
  auto m = decode(bytes, Sender::Client, 1);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  const auto& out = std::get<Input>(*m);
  ASSERT_EQ(out.count, 4);
  EXPECT_EQ(out.ack_snapshot, 77u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(out.commands[i], in.commands[i]);
}

TEST(Codec, EveryTruncationIsRejectedWithoutCrashing) {
  Encoder enc;
  auto bytes = copy(enc.encode(sample_hello()));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    auto m = decode(cut, Sender::Client, 0);
    EXPECT_FALSE(m.ok()) << "accepted a " << n << "-byte prefix";
  }
}

TEST(Codec, GarbageIsMalformed) {
  const std::vector<std::uint8_t> garbage{0xde, 0xad, 0xbe, 0xef, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
  auto m = decode(garbage, Sender::Client, 0);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().kind, DecodeErrorKind::Malformed);
  auto empty = decode({}, Sender::Client, 0);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, DecodeErrorKind::Empty);
}

TEST(Codec, OversizedClientPacketIsRejectedBeforeVerification) {
  std::vector<std::uint8_t> big(kMaxClientPacketBytes + 1, 0);
  auto m = decode(big, Sender::Client, 0);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().kind, DecodeErrorKind::TooLarge);
}

TEST(Codec, UnionTypeWithoutBodyIsABadField) {
  // The FlatBuffers Verifier accepts this; our decoder must not dereference it.
  flatbuffers::FlatBufferBuilder fbb;
  qbot::wire::EnvelopeBuilder eb(fbb);
  eb.add_body_type(qbot::wire::Message::Hello);
  fbb.Finish(eb.Finish());
  auto m = decode({fbb.GetBufferPointer(), fbb.GetSize()}, Sender::Client, 0);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().kind, DecodeErrorKind::BadField);
  EXPECT_EQ(m.error().field, "body");
}

TEST(Codec, UnknownUnionTypeIsReported) {
  flatbuffers::FlatBufferBuilder fbb;
  qbot::wire::EnvelopeBuilder eb(fbb);
  eb.add_body_type(static_cast<qbot::wire::Message>(200));
  fbb.Finish(eb.Finish());
  auto m = decode({fbb.GetBufferPointer(), fbb.GetSize()}, Sender::Client, 0);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().kind, DecodeErrorKind::UnknownMessage);
}

TEST(Codec, InputFieldRangesNameTheField) {
  Encoder enc;
  auto check = [&](Input in, const std::string& field) {
    auto bytes = copy(enc.encode(in));
    auto m = decode(bytes, Sender::Client, 1);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().kind, DecodeErrorKind::BadField);
    EXPECT_EQ(m.error().field, field);
  };
  Input in;
  in.count = 1;
  in.commands[0] = {1, 0, 0, 0, 0, 0x80};
  check(in, "commands[0].buttons");
  in.commands[0] = {1, 0, 0, -128, 0, 0};
  check(in, "commands[0].move_x");
  in.commands[0] = {0, 0, 0, 0, 0, 0};
  check(in, "commands[0].sequence");
  in.count = 2;
  in.commands[0] = {5, 0, 0, 0, 0, 0};
  in.commands[1] = {5, 0, 0, 0, 0, 0};
  check(in, "commands[1].sequence");
  Input none;
  check(none, "commands");
}

TEST(Codec, TooManyInputCommandsIsABadField) {
  // Built by hand: our Encoder never writes more than kMaxInputCommands.
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<qbot::wire::InputCmd> cmds;
  for (std::uint32_t i = 1; i <= kMaxInputCommands + 1; ++i) cmds.emplace_back(i, 0, 0, 0, 0, 0);
  auto vec = fbb.CreateVectorOfStructs(cmds);
  auto input = qbot::wire::CreateInput(fbb, 0, vec);
  fbb.Finish(input);
  auto m = decode({fbb.GetBufferPointer(), fbb.GetSize()}, Sender::Client, 1);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().field, "commands");
}

TEST(Codec, OverlongGuestNameIsABadField) {
  flatbuffers::FlatBufferBuilder fbb;
  auto name = fbb.CreateString(std::string(200, 'x'));  // over the 96-byte cap
  auto hello = qbot::wire::CreateHello(fbb, kProtocolVersion, 0, name, 0);
  fbb.Finish(qbot::wire::CreateEnvelope(fbb, qbot::wire::Message::Hello, hello.Union()));
  auto m = decode({fbb.GetBufferPointer(), fbb.GetSize()}, Sender::Client, 0);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().field, "guest_name");
}

TEST(Codec, RejectReasonNamesAreUniqueAndStable) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kRejectReasonCount; ++i) names.insert(reject_reason_name(static_cast<RejectReason>(i)));
  EXPECT_EQ(names.size(), kRejectReasonCount);
  EXPECT_EQ(reject_reason_name(RejectReason::ProtocolMismatch), "protocol_mismatch");
}
