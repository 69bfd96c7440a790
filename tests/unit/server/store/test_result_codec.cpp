// The result encoding of the results stream and the journal: round trips,
// and refuses every malformed byte string without reading past it.
#include <gtest/gtest.h>

#include <random>

#include "server/store/result_codec.h"

using namespace qbot;
using namespace qbot::server;

namespace {

MatchResult sample(std::size_t rows = 3) {
  MatchResult r;
  r.match_id = 0x0102030405060708ull;
  r.server_id = "eu-1.srv_7";
  r.mode = "tdm";
  r.ended_ms = 1'700'000'000'123ull;
  r.winner_team = 2;
  for (std::size_t i = 0; i < rows; ++i) {
    ResultRow row;
    row.account = 0xFFFF'FFFF'FFFF'FF00ull + i;
    row.bot_id = static_cast<std::uint32_t>(i == 1 ? 0 : 4'000'000'000u + i);  // 0 = un-garaged bot
    row.team = static_cast<std::uint8_t>(1 + i % 2);
    row.kills = static_cast<std::uint32_t>(i * 3);
    row.deaths = 0xFFFF'FFFFu;
    row.damage = static_cast<std::uint32_t>(i * 1000);
    row.score = -static_cast<std::int32_t>(i) - 5;
    row.placement = static_cast<std::uint8_t>(1 + i);
    r.rows.push_back(row);
  }
  return r;
}

std::string with_byte(std::string bytes, std::size_t at, char value) {
  bytes[at] = value;
  return bytes;
}

}  // namespace

TEST(ResultCodec, RoundTrips) {
  for (std::size_t rows : {0u, 1u, 3u, 64u}) {
    const MatchResult in = sample(rows);
    ASSERT_FALSE(result_problem(in)) << *result_problem(in);
    const std::string bytes = encode_result(in);
    auto out = decode_result(bytes);
    ASSERT_TRUE(out.ok()) << out.error();
    EXPECT_EQ(*out, in);
    EXPECT_LE(bytes.size(), kMaxEncodedResult);
  }
}

TEST(ResultCodec, LongestResultFitsTheLimit) {
  MatchResult in = sample(64);
  in.server_id = std::string(64, 's');
  const std::string bytes = encode_result(in);
  EXPECT_LE(bytes.size(), kMaxEncodedResult);
  EXPECT_TRUE(decode_result(bytes).ok());
}

TEST(ResultCodec, EveryTruncationIsRefused) {
  const std::string bytes = encode_result(sample(3));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode_result(std::string_view(bytes).substr(0, n)).ok()) << "prefix of " << n << " bytes";
  }
}

TEST(ResultCodec, TrailingBytesAreRefused) {
  auto out = decode_result(encode_result(sample(2)) + '\0');
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), "trailing bytes");
}

TEST(ResultCodec, UnknownVersionIsRefused) {
  auto out = decode_result(with_byte(encode_result(sample()), 0, 2));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), "unknown version 2");
}

TEST(ResultCodec, OutOfRangeFieldsAreRefused) {
  const std::string good = encode_result(sample(1));
  const std::size_t server_len = 9;                  // after version + match id
  const std::size_t mode_len = server_len + 1 + 10;  // "eu-1.srv_7"
  const std::size_t row_count = mode_len + 1 + 3 + 8 + 1;
  const std::size_t account = row_count + 1;
  const std::size_t placement = account + 8 + 4 + 1 + 4 + 4 + 4 + 4;
  ASSERT_EQ(placement + 1, good.size());
  ASSERT_TRUE(decode_result(good).ok());

  {
    std::string b = good;
    for (std::size_t i = 1; i < server_len; ++i) b[i] = 0;  // match id 0
    EXPECT_FALSE(decode_result(b).ok());
  }
  EXPECT_FALSE(decode_result(with_byte(good, server_len + 1, ' ')).ok());  // server id character
  EXPECT_FALSE(decode_result(with_byte(good, mode_len + 1, 'T')).ok());    // mode character
  EXPECT_FALSE(decode_result(with_byte(good, row_count, 65)).ok());        // 65 rows
  {
    std::string b = good;
    for (std::size_t i = account; i < account + 8; ++i) b[i] = 0;  // account 0
    EXPECT_FALSE(decode_result(b).ok());
  }
  EXPECT_FALSE(decode_result(with_byte(good, placement, 0)).ok());  // placement 0
}

TEST(ResultCodec, OversizedServerIdAndUnknownModeAreRefused) {
  MatchResult long_server = sample(1);
  long_server.server_id = std::string(65, 's');
  EXPECT_TRUE(result_problem(long_server));
  MatchResult other_mode = sample(1);
  other_mode.mode = "ctf";  // not a mode the server runs
  EXPECT_EQ(result_problem(other_mode), "unknown mode 'ctf'");
  // A hand-made encoding with a 65-byte server id is refused on decode too.
  std::string b(1, '\x01');
  b += std::string(8, '\x01');
  b += static_cast<char>(65);
  b += std::string(65, 's');
  b += '\x03';
  b += "ffa";
  b += std::string(8, '\0');
  b += '\0';
  b += '\0';
  EXPECT_FALSE(decode_result(b).ok());
}

TEST(ResultCodec, ProblemsAreNamed) {
  MatchResult r = sample(2);
  r.rows[1].account = r.rows[0].account;
  ASSERT_TRUE(result_problem(r));
  EXPECT_NE(result_problem(r)->find("twice"), std::string::npos);
  r = sample(2);
  r.match_id = 0;
  EXPECT_EQ(result_problem(r), "match id 0");
  r = sample(2);
  r.rows[0].placement = 0;
  EXPECT_NE(result_problem(r)->find("placement 0"), std::string::npos);
  r = sample(65);
  EXPECT_NE(result_problem(r)->find("65 rows"), std::string::npos);
}

TEST(ResultCodec, RandomMutationsNeverCrashAndNeverDecodeOutOfRange) {
  const std::string good = encode_result(sample(5));
  std::mt19937 rng(12345);
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string b = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) b.resize(rng() % (b.size() + 1));
    auto out = decode_result(b);
    if (!out.ok()) continue;
    ++decoded;
    EXPECT_FALSE(result_problem(*out));
    EXPECT_EQ(encode_result(*out), b);  // a decoded result re-encodes to the same bytes
  }
  EXPECT_GT(decoded, 0);  // the mutations were not all trivially rejected
}
