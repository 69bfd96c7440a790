#include <gtest/gtest.h>

#include "token/used_tokens.h"

using qbot::token::UsedTokens;

TEST(UsedTokens, ReplayOfTheSameMatchAndAccountIsRefused) {
  UsedTokens used(16);
  EXPECT_TRUE(used.first_use(7, 100, 5000, 1000));
  EXPECT_FALSE(used.first_use(7, 100, 5000, 1001));
  EXPECT_FALSE(used.first_use(7, 100, 5000, 4999));
  // Other match or other account: a different token.
  EXPECT_TRUE(used.first_use(8, 100, 5000, 1002));
  EXPECT_TRUE(used.first_use(7, 101, 5000, 1003));
  EXPECT_EQ(used.size(), 3u);
  EXPECT_EQ(used.evicted(), 0u);
}

TEST(UsedTokens, EntriesAreForgottenWhenTheirTokenExpires) {
  UsedTokens used(16);
  EXPECT_TRUE(used.first_use(1, 1, 2000, 1000));
  EXPECT_TRUE(used.first_use(2, 2, 9000, 1000));
  EXPECT_FALSE(used.first_use(1, 1, 2000, 1999));
  // At now == expires the token is expired (verify_join refuses it), so the entry goes.
  EXPECT_TRUE(used.first_use(3, 3, 9000, 2000));
  EXPECT_EQ(used.size(), 2u);
  EXPECT_FALSE(used.first_use(2, 2, 9000, 2000));
  EXPECT_EQ(used.evicted(), 0u);
}

TEST(UsedTokens, CapacityIsABoundAndTheEntryClosestToExpiryIsEvicted) {
  UsedTokens used(3);
  EXPECT_TRUE(used.first_use(1, 1, 5000, 0));
  EXPECT_TRUE(used.first_use(2, 2, 3000, 0));  // closest to expiry
  EXPECT_TRUE(used.first_use(3, 3, 7000, 0));
  EXPECT_TRUE(used.first_use(4, 4, 6000, 0));  // full: (2,2) goes
  EXPECT_EQ(used.size(), 3u);
  EXPECT_EQ(used.evicted(), 1u);
  EXPECT_TRUE(used.first_use(2, 2, 3000, 1));   // forgotten, so admitted again (the cost of the bound)
  EXPECT_EQ(used.evicted(), 2u);                // ...and, closest to expiry, it is the one dropped
  EXPECT_FALSE(used.first_use(1, 1, 5000, 1));  // the others are still remembered
  EXPECT_FALSE(used.first_use(3, 3, 7000, 1));
  EXPECT_FALSE(used.first_use(4, 4, 6000, 1));
  for (std::uint64_t i = 10; i < 1000; ++i) used.first_use(i, i, 10'000 + i, 2);
  EXPECT_EQ(used.size(), 3u);
}
