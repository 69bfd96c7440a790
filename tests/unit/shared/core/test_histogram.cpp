#include <gtest/gtest.h>

#include "core/histogram.h"
#include "core/ring.h"

using qbot::core::Histogram;

TEST(Histogram, QuantilesOfAUniformRangeAreWithinThreePercent) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.5)), 50000.0, 1500.0);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.99)), 99000.0, 3000.0);
  EXPECT_EQ(h.max(), 100000u);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (int i = 0; i < 99; ++i) h.record(1);
  h.record(40);
  EXPECT_EQ(h.quantile(0.5), 1u);
  EXPECT_EQ(h.quantile(1.0), 40u);
}

TEST(Histogram, MergeAddsCounts) {
  Histogram a, b;
  a.record(5);
  b.record(500);
  b.record(500);
  a.merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_GE(a.quantile(0.9), 480u);
  Histogram empty;
  EXPECT_EQ(empty.quantile(0.99), 0u);
}

TEST(KeyedRing, StaleSlotsAreNotFound) {
  qbot::core::KeyedRing<int, 4> ring;
  ring.put(1, 10);
  ring.put(5, 50);  // same slot as 1
  EXPECT_EQ(ring.find(1), nullptr);
  ASSERT_NE(ring.find(5), nullptr);
  EXPECT_EQ(*ring.find(5), 50);
  EXPECT_EQ(ring.find(9), nullptr);
}
