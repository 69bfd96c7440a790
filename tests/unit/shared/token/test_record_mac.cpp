#include <gtest/gtest.h>

#include <string>

#include "token/record_mac.h"

using namespace qbot::token;

namespace {
const Key kFleet = derive_key("fleet secret for the record mac tests");
}  // namespace

TEST(RecordMac, RecordKeyIsDerivedPerFleetAndDiffersFromTheFleetKey) {
  EXPECT_EQ(record_key(kFleet), record_key(kFleet));
  EXPECT_NE(record_key(kFleet), kFleet);
  EXPECT_NE(record_key(kFleet), record_key(derive_key("another fleet's secret")));
}

TEST(RecordMac, TagVerifiesOnlyForTheSamePartsUnderTheSameKey) {
  const Key key = record_key(kFleet);
  const RecordMac tag = record_mac(key, {"server", "eu-1", "7777"});
  EXPECT_TRUE(record_mac_verifies(key, {"server", "eu-1", "7777"}, tag));
  EXPECT_FALSE(record_mac_verifies(key, {"server", "eu-1", "7778"}, tag));
  EXPECT_FALSE(record_mac_verifies(key, {"server", "eu-1"}, tag));
  EXPECT_FALSE(record_mac_verifies(record_key(derive_key("another fleet's secret")), {"server", "eu-1", "7777"}, tag));
  RecordMac flipped = tag;
  flipped[5] ^= 1;
  EXPECT_FALSE(record_mac_verifies(key, {"server", "eu-1", "7777"}, flipped));
}

TEST(RecordMac, PartBoundariesArePartOfTheTag) {
  const Key key = record_key(kFleet);
  EXPECT_NE(record_mac(key, {"ab", "c"}), record_mac(key, {"a", "bc"}));
  EXPECT_NE(record_mac(key, {"abc"}), record_mac(key, {"abc", ""}));
}

TEST(RecordMac, TagOfTheWrongLengthIsRefused) {
  const Key key = record_key(kFleet);
  const RecordMac tag = record_mac(key, {"x"});
  EXPECT_FALSE(record_mac_verifies(key, {"x"}, std::span<const std::uint8_t>(tag.data(), 31)));
  EXPECT_FALSE(record_mac_verifies(key, {"x"}, {}));
}

TEST(RecordMac, DigestIsBlake2b256) {
  // BLAKE2b-256 of the empty string (RFC 7693 parameters, 32-byte output).
  EXPECT_EQ(to_hex(digest("")), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_NE(digest("a"), digest("b"));
}

TEST(RecordMac, HexRoundTripsAndRefusesAnythingButSixtyFourHexDigits) {
  const Digest d = digest("round trip");
  const std::string hex = to_hex(d);
  ASSERT_EQ(hex.size(), 64u);
  EXPECT_EQ(from_hex32(hex), d);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(from_hex32(upper), d);
  EXPECT_FALSE(from_hex32(hex.substr(1)).has_value());
  EXPECT_FALSE(from_hex32(hex + "0").has_value());
  std::string bad = hex;
  bad[10] = 'g';
  EXPECT_FALSE(from_hex32(bad).has_value());
}
