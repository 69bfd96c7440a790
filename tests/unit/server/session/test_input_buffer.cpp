#include <gtest/gtest.h>

#include "server/session/input_buffer.h"
#include "server/session/rate_limiter.h"

using qbot::server::InputBuffer;
using qbot::sim::Command;

namespace {
std::vector<Command> seqs(std::uint32_t from, std::uint32_t to) {
  std::vector<Command> v;
  for (std::uint32_t s = from; s <= to; ++s) {
    Command c;
    c.sequence = s;
    c.move_x = static_cast<std::int8_t>(s % 100);
    v.push_back(c);
  }
  return v;
}
}  // namespace

TEST(InputBuffer, RedundantCopiesAreAppliedOnce) {
  InputBuffer b(3);
  bool fresh = false;
  // Each packet carries the last 4 commands, as clients send them.
  std::uint32_t applied = 0;
  for (std::uint32_t newest = 1; newest <= 50; ++newest) {
    auto r = b.push(seqs(newest > 3 ? newest - 3 : 1, newest));
    EXPECT_EQ(r.accepted, 1u);
    EXPECT_EQ(r.overflow, 0u);
    const Command c = b.next(fresh);
    ASSERT_TRUE(fresh);
    EXPECT_EQ(c.sequence, ++applied);
  }
  EXPECT_EQ(b.last_applied(), 50u);
}

TEST(InputBuffer, AFloodCannotApplyMoreThanOneCommandPerTick) {
  InputBuffer b(3);
  // 100 commands arrive at once (a speed hack): 3 are buffered, 97 dropped.
  auto r = b.push(seqs(1, 100));
  EXPECT_EQ(r.accepted, 3u);
  EXPECT_EQ(r.overflow, 97u);
  bool fresh = false;
  EXPECT_EQ(b.next(fresh).sequence, 1u);
  EXPECT_EQ(b.next(fresh).sequence, 2u);
  EXPECT_EQ(b.next(fresh).sequence, 3u);
  // Nothing new: the last command repeats and is not fresh.
  const Command again = b.next(fresh);
  EXPECT_FALSE(fresh);
  EXPECT_EQ(again.sequence, 3u);
  EXPECT_EQ(b.last_applied(), 3u);
}

TEST(InputBuffer, DroppedBurstCommandsCanArriveAgainViaRedundancy) {
  InputBuffer b(2);
  auto r = b.push(seqs(1, 3));  // 3 does not fit
  EXPECT_EQ(r.overflow, 1u);
  bool fresh = false;
  b.next(fresh);
  r = b.push(seqs(1, 3));  // 3 comes back in the next packet and now fits
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.duplicate, 2u);
}

TEST(InputBuffer, RepeatDoesNotRetriggerTheModule) {
  InputBuffer b(3);
  auto cmds = seqs(1, 1);
  cmds[0].buttons = qbot::sim::kUseModule | qbot::sim::kFirePrimary;
  b.push(cmds);
  bool fresh = false;
  EXPECT_EQ(b.next(fresh).buttons, qbot::sim::kUseModule | qbot::sim::kFirePrimary);
  EXPECT_EQ(b.next(fresh).buttons, qbot::sim::kFirePrimary);
}

TEST(RateLimiter, RefillsAtTheConfiguredRate) {
  using namespace std::chrono_literals;
  qbot::server::RateLimiter rl(100, 10);
  int allowed = 0;
  for (int i = 0; i < 50; ++i) allowed += rl.allow(1s) ? 1 : 0;
  EXPECT_EQ(allowed, 10);  // burst
  EXPECT_FALSE(rl.allow(1s));
  EXPECT_TRUE(rl.allow(1s + 10ms));  // one token per 10 ms
  EXPECT_FALSE(rl.allow(1s + 10ms));
}

TEST(InputBuffer, PendingAndTheCumulativeDropCountAreWhatSnapshotsReport) {
  InputBuffer b(3);
  bool fresh = false;
  EXPECT_EQ(b.pending(), 0u);
  EXPECT_EQ(b.dropped(), 0u);
  b.push(seqs(1, 5));  // 3 fit, 4 and 5 overflow
  EXPECT_EQ(b.pending(), 3u);
  EXPECT_EQ(b.dropped(), 2u);
  EXPECT_EQ(b.waiting_at_take(), 0u) << "no tick yet";
  b.next(fresh);
  EXPECT_EQ(b.waiting_at_take(), 3u) << "what the tick found, its own command included";
  EXPECT_EQ(b.pending(), 2u) << "after the tick took its command";
  b.push(seqs(2, 6));  // 2, 3 duplicates; 4 fits; 5, 6 overflow
  EXPECT_EQ(b.pending(), 3u);
  EXPECT_EQ(b.dropped(), 4u) << "cumulative, also counting a command refused twice";
  b.next(fresh);
  b.next(fresh);
  b.next(fresh);
  EXPECT_EQ(b.pending(), 0u);
  b.next(fresh);
  EXPECT_FALSE(fresh);
  EXPECT_EQ(b.waiting_at_take(), 0u) << "a starved tick repeats and says so";
  b.push(seqs(5, 6));  // room again: both taken, nothing new dropped
  EXPECT_EQ(b.pending(), 2u);
  EXPECT_EQ(b.dropped(), 4u);
}
