#include <gtest/gtest.h>

#include <set>
#include <string>

#include "token/token.h"

using namespace qbot::token;

namespace {

const Key kKey = derive_key("fleet secret for the token tests");
constexpr std::uint64_t kNow = 1'700'000'000'000;

JoinClaims join_claims() { return JoinClaims{2, 77, 123456789, "eu-1.server_9", kNow + 60'000}; }

}  // namespace

TEST(Token, DeriveKeyIsDeterministicAndDependsOnTheSecret) {
  EXPECT_EQ(derive_key("same secret, any length"), derive_key("same secret, any length"));
  EXPECT_NE(derive_key("secret number one"), derive_key("secret number two"));
  EXPECT_NE(random_key(), random_key());
}

TEST(Token, JoinRoundTrip) {
  const auto token = sign_join(kKey, join_claims());
  // kind + version + match + account + id length + id + expiry + tag
  EXPECT_EQ(token.size(), 1 + 2 + 8 + 8 + 1 + join_claims().server_id.size() + 8 + 32);
  auto v = verify_join(kKey, bytes(token), kNow);
  ASSERT_TRUE(v.ok()) << to_string(v.error());
  EXPECT_EQ(*v, join_claims());
}

TEST(Token, JoinServerIdOfSixtyFourBytesRoundTrips) {
  auto c = join_claims();
  c.server_id = std::string(64, 's');
  auto v = verify_join(kKey, bytes(sign_join(kKey, c)), kNow);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->server_id, c.server_id);
}

TEST(Token, ClaimsVerifyWouldRefuseAreNotSigned) {
  auto c = join_claims();
  c.server_id = std::string(65, 's');
  EXPECT_TRUE(sign_join(kKey, c).empty());
  c = join_claims();
  c.server_id.clear();
  EXPECT_TRUE(sign_join(kKey, c).empty());
  c = join_claims();
  c.match_id = 0;
  EXPECT_TRUE(sign_join(kKey, c).empty());
  c = join_claims();
  c.account_id = 0;
  EXPECT_TRUE(sign_join(kKey, c).empty());
  EXPECT_TRUE(sign_account(kKey, AccountClaims{0, kNow}).empty());
  EXPECT_EQ(verify_join(kKey, bytes(""), kNow).error(), TokenError::Malformed);
}

TEST(Token, EveryFlippedBitOfAJoinTokenIsRefused) {
  const auto token = sign_join(kKey, join_claims());
  for (std::size_t bit = 0; bit < token.size() * 8; ++bit) {
    auto forged = token;
    forged[bit / 8] = static_cast<char>(forged[bit / 8] ^ (1 << (bit % 8)));
    auto v = verify_join(kKey, bytes(forged), kNow);
    ASSERT_FALSE(v.ok()) << "bit " << bit;
    EXPECT_TRUE(v.error() == TokenError::BadSignature || v.error() == TokenError::Malformed) << "bit " << bit;
  }
}

TEST(Token, EveryFlippedBitOfAnAccountTokenIsRefused) {
  const auto token = sign_account(kKey, AccountClaims{42, kNow});
  for (std::size_t bit = 0; bit < token.size() * 8; ++bit) {
    auto forged = token;
    forged[bit / 8] = static_cast<char>(forged[bit / 8] ^ (1 << (bit % 8)));
    auto v = verify_account(kKey, bytes(forged));
    ASSERT_FALSE(v.ok()) << "bit " << bit;
    EXPECT_TRUE(v.error() == TokenError::BadSignature || v.error() == TokenError::Malformed) << "bit " << bit;
  }
}

TEST(Token, OtherKeyIsRefusedAsBadSignature) {
  const Key other = derive_key("another fleet's secret");
  EXPECT_EQ(verify_join(other, bytes(sign_join(kKey, join_claims())), kNow).error(), TokenError::BadSignature);
  EXPECT_EQ(verify_account(other, bytes(sign_account(kKey, AccountClaims{42, kNow}))).error(),
            TokenError::BadSignature);
}

TEST(Token, ExpiredFromTheExpiryMillisecondOn) {
  const auto token = sign_join(kKey, join_claims());
  const auto expires = join_claims().expires_ms;
  EXPECT_TRUE(verify_join(kKey, bytes(token), expires - 1).ok());
  EXPECT_EQ(verify_join(kKey, bytes(token), expires).error(), TokenError::Expired);
  EXPECT_EQ(verify_join(kKey, bytes(token), expires + 3'600'000).error(), TokenError::Expired);
}

TEST(Token, ForgedExpiredTokenIsBadSignatureNotExpired) {
  // The signature is checked before the expiry, so a forger learns nothing
  // from the error about which fields the server parsed.
  const auto token = sign_join(kKey, join_claims());
  auto forged = token;
  forged[forged.size() - 1] ^= 1;
  EXPECT_EQ(verify_join(kKey, bytes(forged), join_claims().expires_ms + 1).error(), TokenError::BadSignature);
}

TEST(Token, EveryTruncationAndExtensionIsRefused) {
  const auto join = sign_join(kKey, join_claims());
  for (std::size_t n = 0; n < join.size(); ++n) {
    EXPECT_FALSE(verify_join(kKey, bytes(join.substr(0, n)), kNow).ok()) << "length " << n;
  }
  EXPECT_EQ(verify_join(kKey, bytes(join + '\0'), kNow).error(), TokenError::Malformed);
  const auto account = sign_account(kKey, AccountClaims{42, kNow});
  for (std::size_t n = 0; n < account.size(); ++n) {
    EXPECT_EQ(verify_account(kKey, bytes(account.substr(0, n))).error(), TokenError::Malformed) << "length " << n;
  }
  EXPECT_EQ(verify_account(kKey, bytes(account + '\0')).error(), TokenError::Malformed);
}

TEST(Token, WrongKindIsRefused) {
  const auto account = sign_account(kKey, AccountClaims{42, kNow});
  EXPECT_EQ(verify_join(kKey, bytes(account), kNow).error(), TokenError::Malformed);
  const auto join = sign_join(kKey, join_claims());
  EXPECT_EQ(verify_account(kKey, bytes(join)).error(), TokenError::Malformed);
}

TEST(Token, AccountRoundTripAndNoExpiry) {
  const AccountClaims claims{(std::uint64_t{1} << 53) - 1, 5};
  auto v = verify_account(kKey, bytes(sign_account(kKey, claims)));
  ASSERT_TRUE(v.ok()) << to_string(v.error());
  EXPECT_EQ(*v, claims);
}

TEST(Token, RandomAccountIdsAreNonzeroBelowTwoToTheFiftyThreeAndDistinct) {
  std::set<std::uint64_t> seen;
  std::uint64_t high_bits = 0;
  for (int i = 0; i < 2000; ++i) {
    const auto id = random_account_id();
    EXPECT_NE(id, 0u);
    EXPECT_LT(id, std::uint64_t{1} << 53);
    high_bits |= id >> 40;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
  EXPECT_NE(high_bits, 0u);  // the top bits are used, not a small counter
}

TEST(Token, ErrorsHaveNames) {
  EXPECT_STREQ(to_string(TokenError::Malformed), "malformed");
  EXPECT_STREQ(to_string(TokenError::BadSignature), "bad signature");
  EXPECT_STREQ(to_string(TokenError::Expired), "expired");
}
