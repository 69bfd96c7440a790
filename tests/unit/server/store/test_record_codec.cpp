// record_codec: what RedisStore writes comes back exactly, and bytes that are
// not a valid record (truncated, padded, oversize, out of range) are refused
// with a reason instead of being trusted.
#include "server/store/record_codec.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "sim/loadout.h"

using namespace qbot;
using namespace qbot::server;

namespace {

BotRecord full_bot(std::uint32_t id) {
  BotRecord b;
  b.id = id;
  b.loadout.name = std::string(qbot::sim::kMaxBotNameBytes, 'n');
  b.loadout.chassis = std::string(kMaxPartIdBytes, 'c');
  b.loadout.primary = "laser";
  b.loadout.secondary = "";
  b.loadout.module = "shield";
  b.loadout.paint = 0xDEADBEEF;
  return b;
}

Ticket full_ticket() {
  Ticket t;
  t.account = 0xFFFF'FFFF'FFFF'FFFFull;
  t.mode = "tdm";
  t.region = std::string(kMaxRegionBytes, 'r');
  t.bot = full_bot(7);
  t.rating = 1712.25;
  t.party = std::string(kMaxRegionBytes, 'p');
  t.party_size = kMaxPartySize;
  t.front_door = std::string(kMaxServerIdBytes, 'f');
  t.created_ms = 1'700'000'000'123ull;
  return t;
}

MatchAssignment full_match(std::size_t slots = kMaxMatchSlots) {
  MatchAssignment m;
  m.id = 0x0123'4567'89AB'CDEFull;
  m.mode = "ffa";
  m.region = "eu-west.1_a";
  m.server_id = std::string(kMaxServerIdBytes, 's');
  m.host = std::string(kMaxHostBytes, 'h');
  m.port = 65535;
  m.created_ms = 42;
  for (std::size_t i = 0; i < slots; ++i) {
    MatchSlot s;
    s.account = 1000 + i;
    s.team = static_cast<std::uint8_t>(i % 3);
    s.bot = full_bot(static_cast<std::uint32_t>(i + 1));
    s.rating = -0.0 + static_cast<double>(i) * 10.5;
    s.token = std::string(kMaxTokenBytes, static_cast<char>(i));  // binary, NULs included
    m.slots.push_back(s);
  }
  return m;
}

template <class Decode>
void expect_every_truncation_refused(const std::string& bytes, Decode decode) {
  for (std::size_t len = 0; len < bytes.size(); ++len) {
    auto r = decode(std::string_view(bytes).substr(0, len));
    EXPECT_FALSE(r.ok()) << "accepted " << len << " of " << bytes.size() << " bytes";
  }
}

}  // namespace

TEST(RecordCodec, BotRoundTripsWithoutIdAndStats) {
  BotRecord bot = full_bot(9);
  bot.stats.wins = 3;
  auto back = decode_bot(encode_bot(bot));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->id, 0u);
  EXPECT_EQ(back->stats, BotStats{});
  EXPECT_EQ(back->loadout, bot.loadout);
}

TEST(RecordCodec, TicketRoundTrips) {
  const Ticket t = full_ticket();
  auto back = decode_ticket(encode_ticket(t));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, t);
}

TEST(RecordCodec, MatchRoundTripsWithBinaryTokens) {
  const MatchAssignment m = full_match();
  auto back = decode_match(encode_match(m));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, m);
}

TEST(RecordCodec, EveryTruncationIsRefused) {
  expect_every_truncation_refused(encode_bot(full_bot(1)), decode_bot);
  expect_every_truncation_refused(encode_ticket(full_ticket()), decode_ticket);
  expect_every_truncation_refused(encode_match(full_match(3)), decode_match);
}

TEST(RecordCodec, TrailingBytesVersionAndKindAreChecked) {
  std::string bytes = encode_ticket(full_ticket());
  EXPECT_FALSE(decode_ticket(bytes + '\0').ok());
  std::string v2 = bytes;
  v2[0] = 2;
  auto r = decode_ticket(v2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("version"), std::string::npos) << r.error();
  // A ticket is not a match nor a bot, even where the bytes would parse.
  EXPECT_FALSE(decode_match(bytes).ok());
  EXPECT_FALSE(decode_bot(bytes).ok());
  EXPECT_FALSE(decode_ticket(encode_bot(full_bot(1))).ok());
}

TEST(RecordCodec, OversizeFieldsAreRefused) {
  // The encoder trusts its caller; these bytes stand for what a hostile
  // writer could put into Redis.
  BotRecord long_name = full_bot(1);
  long_name.loadout.name += 'x';
  EXPECT_FALSE(decode_bot(encode_bot(long_name)).ok());
  BotRecord long_part = full_bot(1);
  long_part.loadout.module = std::string(kMaxPartIdBytes + 1, 'm');
  EXPECT_FALSE(decode_bot(encode_bot(long_part)).ok());

  Ticket region = full_ticket();
  region.region += 'r';
  EXPECT_FALSE(decode_ticket(encode_ticket(region)).ok());
  Ticket party = full_ticket();
  party.party += 'p';
  EXPECT_FALSE(decode_ticket(encode_ticket(party)).ok());
  Ticket door = full_ticket();
  door.front_door += 'f';
  EXPECT_FALSE(decode_ticket(encode_ticket(door)).ok());

  MatchAssignment token = full_match(2);
  token.slots[1].token += 't';
  EXPECT_FALSE(decode_match(encode_match(token)).ok());
  MatchAssignment host = full_match(2);
  host.host += 'h';
  EXPECT_FALSE(decode_match(encode_match(host)).ok());
  MatchAssignment server = full_match(2);
  server.server_id += 's';
  EXPECT_FALSE(decode_match(encode_match(server)).ok());
  MatchAssignment slots = full_match(kMaxMatchSlots + 1);
  EXPECT_FALSE(decode_match(encode_match(slots)).ok());
}

TEST(RecordCodec, OutOfRangeValuesAreRefused) {
  Ticket nan = full_ticket();
  nan.rating = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(decode_ticket(encode_ticket(nan)).ok());
  Ticket mode = full_ticket();
  mode.mode = "ctf";
  EXPECT_FALSE(decode_ticket(encode_ticket(mode)).ok());
  Ticket size = full_ticket();
  size.party_size = kMaxPartySize + 1;
  EXPECT_FALSE(decode_ticket(encode_ticket(size)).ok());
  Ticket no_account = full_ticket();
  no_account.account = 0;
  EXPECT_FALSE(decode_ticket(encode_ticket(no_account)).ok());

  MatchAssignment twice = full_match(2);
  twice.slots[1].account = twice.slots[0].account;
  EXPECT_FALSE(decode_match(encode_match(twice)).ok());
  MatchAssignment empty = full_match(0);
  EXPECT_FALSE(decode_match(encode_match(empty)).ok());
}

TEST(RecordCodec, ProblemsNameTheRule) {
  Ticket t = full_ticket();
  EXPECT_EQ(ticket_problem(t), std::nullopt);
  t.region = "eu west";
  EXPECT_NE(ticket_problem(t), std::nullopt);
  t = full_ticket();
  t.party = "";
  EXPECT_EQ(ticket_problem(t), "party size without a party code");
  t.party_size = 1;
  EXPECT_EQ(ticket_problem(t), std::nullopt);
  t.front_door = "";
  EXPECT_EQ(ticket_problem(t), std::nullopt);
  t.front_door = "a/b";
  EXPECT_NE(ticket_problem(t), std::nullopt);

  EXPECT_EQ(match_problem(full_match(1)), std::nullopt);
  MatchAssignment m = full_match(1);
  m.id = 0;
  EXPECT_EQ(match_problem(m), "match id 0");
  EXPECT_TRUE(valid_region("a"));
  EXPECT_FALSE(valid_region(""));
  EXPECT_FALSE(valid_region(std::string(kMaxRegionBytes + 1, 'a')));
  EXPECT_TRUE(valid_mode("ffa"));
  EXPECT_FALSE(valid_mode("FFA"));
}

TEST(RecordCodec, MutatedBytesDecodeToNothingOrToTheSameBytes) {
  // Whatever a hostile writer flips, decoding either refuses or yields a
  // valid record whose encoding is exactly those bytes (no silent repair).
  const std::string ticket = encode_ticket(full_ticket());
  const std::string match = encode_match(full_match(2));
  std::mt19937 rng(1234);
  int accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string t = ticket;
    std::string m = match;
    for (int flips = 0; flips < 1 + i % 3; ++flips) {
      t[rng() % t.size()] = static_cast<char>(rng());
      m[rng() % m.size()] = static_cast<char>(rng());
    }
    if (auto r = decode_ticket(t); r.ok()) {
      ++accepted;
      EXPECT_EQ(encode_ticket(*r), t);
    }
    if (auto r = decode_match(m); r.ok()) {
      ++accepted;
      EXPECT_EQ(encode_match(*r), m);
    }
  }
  EXPECT_GT(accepted, 0);  // flips inside names and numbers are valid records
}
