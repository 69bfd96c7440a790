#include <gtest/gtest.h>

#include "server/matchmaking/wait_estimator.h"

using qbot::server::WaitEstimator;

TEST(WaitEstimator, WithoutHistoryTheFallbackMinusTheWaitAndNeverZero) {
  WaitEstimator e(10'000);
  EXPECT_EQ(e.remaining_ms("ffa/eu", 0), 10'000u);
  EXPECT_EQ(e.remaining_ms("ffa/eu", 4'000), 6'000u);
  EXPECT_EQ(e.remaining_ms("ffa/eu", 60'000), 1u) << "0 would read as unknown";
}

TEST(WaitEstimator, TheMedianOfTheQueuesRecentTimesToMatchMinusTheWait) {
  WaitEstimator e(10'000);
  for (std::uint64_t ms : {3'000, 100'000, 2'000, 4'000, 1'000}) e.record("ffa/eu", ms);
  EXPECT_EQ(e.remaining_ms("ffa/eu", 0), 3'000u) << "the median ignores the one outlier";
  EXPECT_EQ(e.remaining_ms("ffa/eu", 1'000), 2'000u);
  EXPECT_EQ(e.remaining_ms("ffa/eu", 5'000), 5'000u) << "past the median: the fill timeout still bounds it";
  EXPECT_EQ(e.remaining_ms("tdm/eu", 0), 10'000u) << "queues do not share history";
  e.record("ffa/eu", 5'000);  // six samples: the mean of the middle two (3000, 4000)
  EXPECT_EQ(e.remaining_ms("ffa/eu", 0), 3'500u);
}

TEST(WaitEstimator, TheWindowForgetsOldMatchesAndTheQueueCountIsBounded) {
  WaitEstimator e(10'000);
  for (std::size_t i = 0; i < WaitEstimator::kWindow; ++i) e.record("ffa/eu", 90'000);
  for (std::size_t i = 0; i < WaitEstimator::kWindow; ++i) e.record("ffa/eu", 2'000);
  EXPECT_EQ(e.samples("ffa/eu"), WaitEstimator::kWindow);
  EXPECT_EQ(e.remaining_ms("ffa/eu", 0), 2'000u) << "only the newest kWindow count";

  // A client can name any region: the estimator stays bounded, forgetting the least recently fed queue.
  for (std::size_t i = 0; i < 2 * WaitEstimator::kMaxQueues; ++i) e.record("ffa/r" + std::to_string(i), 1'000);
  EXPECT_EQ(e.queues(), WaitEstimator::kMaxQueues);
  EXPECT_EQ(e.samples("ffa/eu"), 0u) << "fed first, forgotten first";
  EXPECT_EQ(e.samples("ffa/r" + std::to_string(2 * WaitEstimator::kMaxQueues - 1)), 1u);
}
