// The fleet's token key check: who holds another key, and the startup
// refusal's message (it must name the fix).
#include "server/matchmaking/fleet_keys.h"

#include <gtest/gtest.h>

#include "token/token.h"

using namespace qbot;
using namespace qbot::server;

namespace {
ServerInfo entry(const std::string& id, const std::string& fingerprint) {
  ServerInfo s;
  s.id = id;
  s.key_fingerprint = fingerprint;
  return s;
}
}  // namespace

TEST(FleetKeys, FingerprintsAreEqualExactlyForEqualKeysAndDoNotContainTheKey) {
  const token::Key a = token::derive_key("fleet secret one");
  const std::string fa = token::key_fingerprint(a);
  EXPECT_EQ(fa, token::key_fingerprint(token::derive_key("fleet secret one")));
  EXPECT_NE(fa, token::key_fingerprint(token::derive_key("fleet secret two")));
  EXPECT_NE(fa, token::key_fingerprint(token::random_key()));
  ASSERT_EQ(fa.size(), 16u);
  for (const char c : fa) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << fa;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key_hex;
  for (const unsigned char byte : a) {
    key_hex += kHex[byte >> 4];
    key_hex += kHex[byte & 0x0f];
  }
  EXPECT_EQ(key_hex.find(fa), std::string::npos) << "the fingerprint must not be a piece of the key";
}

TEST(FleetKeys, OnlyOtherServersWithAnotherKeyCount) {
  const RegistryView live{{entry("me", "aaaa"), entry("friend", "aaaa"), entry("stranger", "bbbb"), entry("old", "")},
                          {}};
  const FleetKeyCheck check = check_fleet_keys(live, "me", "aaaa");
  EXPECT_EQ(check.others, 2u);
  EXPECT_EQ(check.example, "stranger");
  EXPECT_EQ(check_fleet_keys({{entry("me", "old key of my last run")}, {}}, "me", "aaaa").others, 0u);  // a restart
  EXPECT_FALSE(fleet_key_refusal(check_fleet_keys({{entry("friend", "aaaa")}, {}}, "me", "aaaa"), "aaaa", false));
}

TEST(FleetKeys, TheRefusalNamesTheOtherServerOurFingerprintAndTheFix) {
  const FleetKeyCheck check = check_fleet_keys({{entry("stranger", "bbbb")}, {}}, "me", "aaaa");
  const auto random = fleet_key_refusal(check, "aaaa", true);
  ASSERT_TRUE(random);
  EXPECT_NE(random->find("'stranger'"), std::string::npos) << *random;
  EXPECT_NE(random->find("aaaa"), std::string::npos) << *random;
  EXPECT_NE(random->find("no --token-secret"), std::string::npos) << *random;
  EXPECT_NE(random->find("the same --token-secret (QBOT_TOKEN_SECRET"), std::string::npos) << *random;
  const auto differs = fleet_key_refusal(check, "aaaa", false);
  ASSERT_TRUE(differs);
  EXPECT_NE(differs->find("differs from theirs"), std::string::npos) << *differs;
}

TEST(FleetKeys, EntriesThatFailOurTagCountAsAnotherKeyWhateverFingerprintTheyClaim) {
  // A server of another fleet key seals its entry with that key: our read
  // cannot verify it, so it arrives as unverified, never as a live server.
  const RegistryView registry{{entry("friend", "aaaa")}, {{"me", "zzzz"}, {"stranger", "aaaa"}, {"anon", ""}}};
  const FleetKeyCheck check = check_fleet_keys(registry, "me", "aaaa");
  EXPECT_EQ(check.others, 2u) << "our own id never counts, even unverified (a restart with a new key)";
  EXPECT_EQ(check.unverified, 2u);
  EXPECT_EQ(check.example, "stranger");
  EXPECT_EQ(check.example_fingerprint, "aaaa");
  const auto refusal = fleet_key_refusal(check, "aaaa", false);
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->find("2 live server(s)"), std::string::npos) << *refusal;
  EXPECT_NE(refusal->find("2 of them write registry entries that do not verify with our key"), std::string::npos)
      << *refusal;
  EXPECT_NE(refusal->find("the same --token-secret"), std::string::npos) << *refusal;
}
