#include <gtest/gtest.h>

#include "core/bit_stream.h"
#include "core/rng.h"

using namespace qbot::core;

TEST(BitStream, RoundTripsMixedWidthsAndVarints) {
  std::vector<std::uint8_t> buf;
  BitWriter w(buf);
  Rng rng(7);
  std::vector<std::pair<std::uint32_t, unsigned>> raw;
  std::vector<std::int32_t> signed_values;
  for (int i = 0; i < 2000; ++i) {
    const unsigned bits = 1 + rng.below(32);
    const std::uint32_t v = bits == 32 ? rng.next_u32() : rng.next_u32() & ((1u << bits) - 1u);
    raw.emplace_back(v, bits);
    w.bits(v, bits);
    const auto s = static_cast<std::int32_t>(rng.next_u32()) >> rng.below(31);
    signed_values.push_back(s);
    w.var_s(s);
  }
  w.finish();
  BitReader r(buf);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    ASSERT_EQ(r.bits(raw[i].second), raw[i].first) << i;
    ASSERT_EQ(r.var_s(), signed_values[i]) << i;
  }
  EXPECT_FALSE(r.failed());
  EXPECT_TRUE(r.at_end());
}

TEST(BitStream, SmallVarintsAreShort) {
  std::vector<std::uint8_t> buf;
  BitWriter w(buf);
  w.var_u(0);
  EXPECT_EQ(w.bit_count(), 5u);  // prefix 0 + 4 bits
  w.var_u(255);
  EXPECT_EQ(w.bit_count(), 5u + 10u);
  w.var_u(0xffffffffu);
  EXPECT_EQ(w.bit_count(), 5u + 10u + 36u);
}

TEST(BitStream, ReaderNeverReadsPastTheEnd) {
  const std::vector<std::uint8_t> buf{0xff};
  BitReader r(buf);
  EXPECT_EQ(r.bits(8), 0xffu);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(r.bits(1), 0u);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.var_u(), 0u);  // stays failed, returns zeros
}

TEST(BitStream, VarintOfAllOnesOnTruncatedInputFails) {
  const std::vector<std::uint8_t> buf{0xff, 0xff};  // prefix says "32-bit class", body missing
  BitReader r(buf);
  r.var_u();
  EXPECT_TRUE(r.failed());
}

TEST(Zigzag, MapsSmallMagnitudesToSmallCodes) {
  EXPECT_EQ(zigzag(0), 0u);
  EXPECT_EQ(zigzag(-1), 1u);
  EXPECT_EQ(zigzag(1), 2u);
  for (std::int32_t v : {0, 1, -1, 1000, -1000, INT32_MAX, INT32_MIN}) EXPECT_EQ(unzigzag(zigzag(v)), v);
}
