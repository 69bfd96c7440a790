// InputPacer on virtual time: one command per tick, time dilation from the
// server's input_queue reports, no burst after a stall.
#include <gtest/gtest.h>

#include "client_headless/input_pacer.h"

using qbot::client::InputPacer;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

namespace {
constexpr nanoseconds kTick{16'666'667};

/// Commands due when due() is asked every `poll` from `from` for `span`.
std::uint32_t sends_over(InputPacer& p, nanoseconds from, nanoseconds span, nanoseconds poll) {
  std::uint32_t n = 0;
  for (nanoseconds t = from; t < from + span; t += poll) n += p.due(t);
  return n;
}
}  // namespace

TEST(InputPacer, SendsOneCommandPerTickIntervalWhenTheQueueIsOnTarget) {
  InputPacer p;
  p.start(nanoseconds{0}, 60);
  EXPECT_EQ(p.due(nanoseconds{0}), 1u) << "the first command goes at once";
  EXPECT_EQ(p.due(nanoseconds{0}), 0u) << "and only one";
  EXPECT_EQ(p.until_next(nanoseconds{0}), kTick);
  // Polled every 1 ms from 1 ms to 60 s: the commands due at 1 .. 3599
  // intervals (the one at 0 was counted above); the 3600th is due 1.2 us
  // after the last poll, at 3600 x 16'666'667 ns.
  EXPECT_EQ(sends_over(p, milliseconds(1), std::chrono::seconds(60), milliseconds(1)), 3599u);
  EXPECT_EQ(p.until_next(std::chrono::seconds(60)), nanoseconds{1200});
}

TEST(InputPacer, AFullServerQueueStretchesTheIntervalAndAnEmptyOneShrinksIt) {
  InputPacer slow, fast;
  slow.start(nanoseconds{0}, 60);
  fast.start(nanoseconds{0}, 60);
  for (int i = 0; i < 100; ++i) {
    slow.on_feedback(3);
    fast.on_feedback(0);
  }
  EXPECT_NEAR(slow.smoothed_queue(), 3.0, 0.01);
  const double too_many = 3.0 - InputPacer::kTargetQueue, too_few = InputPacer::kTargetQueue;
  EXPECT_NEAR(slow.stretch(), 1.0 + too_many * InputPacer::kGain, 1e-3);
  EXPECT_NEAR(fast.stretch(), 1.0 - too_few * InputPacer::kGain, 1e-3);
  // Over 10 s: 600 commands at the nominal rate; the slowed pacer sends fewer, the hurried more.
  const auto slow_n = sends_over(slow, nanoseconds{0}, std::chrono::seconds(10), milliseconds(1));
  const auto fast_n = sends_over(fast, nanoseconds{0}, std::chrono::seconds(10), milliseconds(1));
  EXPECT_NEAR(slow_n, 600.0 / slow.stretch(), 2.0);
  EXPECT_NEAR(fast_n, 600.0 / fast.stretch(), 2.0);
  EXPECT_LT(slow_n, 590u);
  EXPECT_GT(fast_n, 610u);
}

TEST(InputPacer, TheStretchIsBoundedWhateverTheReports) {
  InputPacer p;
  p.start(nanoseconds{0}, 60);
  for (int i = 0; i < 1000; ++i) p.on_feedback(255);
  EXPECT_DOUBLE_EQ(p.stretch(), 1.0 + InputPacer::kMaxStretch);
}

TEST(InputPacer, AfterAStallItResumesWithOneCommandNotABurst) {
  InputPacer p;
  p.start(nanoseconds{0}, 60);
  EXPECT_EQ(p.due(nanoseconds{0}), 1u);
  // Nobody asked for 200 ms (12 intervals): one command, then the normal cadence from there.
  const nanoseconds resume = milliseconds(200);
  EXPECT_EQ(p.due(resume), 1u);
  EXPECT_EQ(p.resumes(), 1u);
  EXPECT_EQ(p.due(resume), 0u);
  EXPECT_EQ(p.due(resume + kTick - nanoseconds{1}), 0u);
  EXPECT_EQ(p.due(resume + kTick), 1u);
}

TEST(InputPacer, CatchUpModeSendsEveryMissedIntervalAtOnceLikeANaiveClient) {
  InputPacer p;
  p.set_catch_up(true);
  p.start(nanoseconds{0}, 60);
  EXPECT_EQ(p.due(nanoseconds{0}), 1u);
  EXPECT_EQ(p.due(milliseconds(200)), 11u) << "the intervals due at 16.7, 33.3 ... 183.3 ms";
  EXPECT_EQ(p.resumes(), 0u);
}
