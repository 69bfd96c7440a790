#include <gtest/gtest.h>

#include "core/fixed_step.h"

using namespace std::chrono_literals;
using qbot::core::FixedStep;

TEST(FixedStep, RunsOneTickPerPeriodOnVirtualTime) {
  FixedStep fs(60, 5);
  fs.start(0ns);
  EXPECT_EQ(fs.advance(0ns), 0u);
  EXPECT_EQ(fs.advance(16ms), 0u);
  EXPECT_EQ(fs.advance(17ms), 1u);
  EXPECT_EQ(fs.advance(17ms), 0u);
  // One simulated second gives exactly 60 ticks in total.
  std::uint32_t total = 1;
  for (auto t = 18ms; t <= 1000ms; t += 1ms) total += fs.advance(t);
  EXPECT_EQ(total, 60u);
}

TEST(FixedStep, UntilNextCountsDown) {
  FixedStep fs(100, 5);
  fs.start(0ns);
  EXPECT_EQ(fs.until_next(0ns), 10ms);
  EXPECT_EQ(fs.until_next(4ms), 6ms);
  EXPECT_EQ(fs.until_next(10ms), 0ns);
}

TEST(FixedStep, CatchUpIsCappedAndTheRestIsCounted) {
  FixedStep fs(100, 5);
  fs.start(0ns);
  // A 1 s stall: 100 ticks are due, only 5 run, 95 are dropped.
  EXPECT_EQ(fs.advance(1000ms), 5u);
  EXPECT_EQ(fs.dropped_ticks(), 95u);
  // The schedule stays phase-aligned afterwards.
  EXPECT_EQ(fs.advance(1005ms), 0u);
  EXPECT_EQ(fs.advance(1010ms), 1u);
}

TEST(FixedStep, SmallLagIsCaughtUpCompletely) {
  FixedStep fs(60, 5);
  fs.start(0ns);
  EXPECT_EQ(fs.advance(50ms), 3u);  // 16.7, 33.3, 50.0
  EXPECT_EQ(fs.dropped_ticks(), 0u);
}

TEST(FixedStep, DueAtSaysWhatAdvanceWouldReturnWithoutAdvancing) {
  FixedStep fs(100, 5);
  fs.start(0ns);
  EXPECT_EQ(fs.due_at(9ms), 0u);
  EXPECT_EQ(fs.due_at(30ms), 3u);
  EXPECT_EQ(fs.due_at(30ms), 3u) << "asking twice changes nothing";
  EXPECT_EQ(fs.due_at(1000ms), 5u) << "capped like advance()";
  EXPECT_EQ(fs.dropped_ticks(), 0u);
  EXPECT_EQ(fs.advance(30ms), 3u);
  EXPECT_EQ(fs.due_at(30ms), 0u);
}
