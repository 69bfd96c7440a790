#include <gtest/gtest.h>

#include "core/cadence.h"

using qbot::core::Cadence;

TEST(Cadence, APeriodBecomesWholeTicksAndIsDueEveryPeriod) {
  const Cadence every_100ms(100, 60);
  EXPECT_EQ(every_100ms.period_ticks(), 6u);
  int due = 0;
  for (std::uint64_t tick = 1; tick <= 60; ++tick) due += every_100ms.due(tick) ? 1 : 0;
  EXPECT_EQ(due, 10);
  EXPECT_TRUE(every_100ms.due(6));
  EXPECT_FALSE(every_100ms.due(5));
}

TEST(Cadence, APeriodShorterThanATickRunsEveryTick) {
  const Cadence fast(1, 60);
  EXPECT_EQ(fast.period_ticks(), 1u);
  for (std::uint64_t tick = 1; tick <= 10; ++tick) EXPECT_TRUE(fast.due(tick));
}

TEST(Cadence, FractionalPeriodsRoundDownToWholeTicks) {
  EXPECT_EQ(Cadence(100, 64).period_ticks(), 6u);  // 6.4 ticks
  EXPECT_EQ(Cadence(5000, 30).period_ticks(), 150u);
  EXPECT_EQ(Cadence(1000, 128).period_ticks(), 128u);
}
