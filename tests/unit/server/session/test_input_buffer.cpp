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

TEST(InputBuffer, PendingAndTheLostCountAreWhatSnapshotsReport) {
  InputBuffer b(3);
  bool fresh = false;
  EXPECT_EQ(b.pending(), 0u);
  EXPECT_EQ(b.lost(), 0u);
  auto r = b.push(seqs(1, 5));  // 3 fit, 4 and 5 are refused
  EXPECT_EQ(r.overflow, 2u);
  EXPECT_EQ(b.pending(), 3u);
  EXPECT_EQ(b.lost(), 0u) << "a refused copy may come back";
  EXPECT_EQ(b.waiting_at_take(), 0u) << "no tick yet";
  b.next(fresh);
  EXPECT_EQ(b.waiting_at_take(), 3u) << "what the tick found, its own command included";
  EXPECT_EQ(b.pending(), 2u) << "after the tick took its command";
  r = b.push(seqs(2, 6));  // 2, 3 duplicates; 4 fits; 5, 6 refused
  EXPECT_EQ(r.overflow, 2u);
  EXPECT_EQ(b.pending(), 3u);
  b.next(fresh);
  b.next(fresh);
  b.next(fresh);
  EXPECT_EQ(b.pending(), 0u);
  b.next(fresh);
  EXPECT_FALSE(fresh);
  EXPECT_EQ(b.waiting_at_take(), 0u) << "a starved tick repeats and says so";
  b.push(seqs(5, 6));  // room again: both refused commands came back and fit
  EXPECT_EQ(b.pending(), 2u);
  EXPECT_EQ(b.lost(), 0u) << "every refused command came back: nothing lost";
}

TEST(InputBuffer, CommandsThatNeverComeBackAreCountedLostOnceEach) {
  InputBuffer b(3);
  bool fresh = false;
  b.push(seqs(1, 10));  // 1..3 fit; 4..10 refused
  b.next(fresh);
  b.next(fresh);
  b.next(fresh);
  // The next packet's redundancy window holds 8..11 only: 4..7 are gone.
  auto r = b.push(seqs(8, 11));
  EXPECT_EQ(r.lost, 4u);
  EXPECT_EQ(b.lost(), 4u);
  // 11 did not fit either; network loss counts the same way: 12..13 never
  // came, so when 14 is taken 11..13 are gone.
  b.next(fresh);
  r = b.push(seqs(14, 14));
  EXPECT_EQ(r.lost, 3u);
  EXPECT_EQ(b.lost(), 7u);
  // Later copies of what was skipped are duplicates, never counted again.
  r = b.push(seqs(4, 7));
  EXPECT_EQ(r.duplicate, 4u);
  EXPECT_EQ(b.lost(), 7u);
}

TEST(InputBuffer, TheFirstCommandAndAHostileJumpCountAtMostTheCap) {
  InputBuffer b(3);
  auto r = b.push(seqs(1000, 1000));
  EXPECT_EQ(r.lost, 0u) << "a client may start numbering anywhere";
  r = b.push(seqs(4'000'000'000u, 4'000'000'000u));
  EXPECT_EQ(r.lost, InputBuffer::kMaxCountedGap);
  EXPECT_EQ(b.lost(), InputBuffer::kMaxCountedGap);
}

TEST(InputBuffer, ACatchUpAllowanceTakesOneMoreCommandPerOwedTickAndNoMore) {
  InputBuffer b(3);
  // The server fell 2 ticks behind: 3 ticks will run back to back.
  auto r = b.push(seqs(1, 8), 2);
  EXPECT_EQ(r.accepted, 5u);
  EXPECT_EQ(r.overflow, 3u);
  bool fresh = false;
  for (std::uint32_t s = 1; s <= 3; ++s) EXPECT_EQ(b.next(fresh).sequence, s);
  // On schedule again: the usual allowance of 3 (2 still wait, 1 fits).
  r = b.push(seqs(6, 7));
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.overflow, 1u) << "no allowance left over";
  EXPECT_EQ(b.pending(), 3u);
}

namespace {
/// One packet per tick, as a paced client sends: the newest command `s` and
/// the 3 before it, pushed before the tick that takes it.
InputBuffer::PushResult send_paced(InputBuffer& b, std::uint32_t s) { return b.push(seqs(s > 3 ? s - 3 : 1, s)); }

/// Anchors `b` on commands 1..4, one per tick, each pushed just before its
/// tick; returns after the tick that took 4.
void anchor_one_per_tick(InputBuffer& b) {
  bool fresh = false;
  for (std::uint32_t s = 1; s <= InputBuffer::kAnchorSamples; ++s) {
    send_paced(b, s);
    ASSERT_EQ(b.next(fresh).sequence, s);
  }
}
}  // namespace

TEST(InputBuffer, ALateCommandIsFoldedIntoTheNextTickAndLaterCommandsKeepTheirOwnTicks) {
  InputBuffer b(3);
  anchor_one_per_tick(b);
  bool fresh = false;
  // 5 is late: its tick repeats 4.
  Command repeated = b.next(fresh);
  EXPECT_FALSE(fresh);
  EXPECT_EQ(repeated.sequence, 4u);
  EXPECT_EQ(b.waiting_at_take(), 0u);
  // 5 (with a module press) and 6 arrive together before 6's tick: 6 is
  // taken on its own tick, carrying 5's press; 5 counts late, not lost.
  auto five_six = seqs(3, 6);
  five_six[2].buttons = qbot::sim::kUseModule;
  b.push(five_six);
  const Command six = b.next(fresh);
  EXPECT_TRUE(fresh);
  EXPECT_EQ(six.sequence, 6u);
  EXPECT_EQ(six.buttons, qbot::sim::kUseModule) << "the late command's press still acts";
  EXPECT_EQ(b.waiting_at_take(), 1u) << "the queue did not grow by the late one";
  EXPECT_EQ(b.late(), 1u);
  EXPECT_EQ(b.lost(), 0u);
  // And the stream stays on its ticks: 7 next tick, with one waiting.
  send_paced(b, 7);
  EXPECT_EQ(b.next(fresh).sequence, 7u);
  EXPECT_EQ(b.waiting_at_take(), 1u);
}

TEST(InputBuffer, ALateCommandAloneIsAppliedOneTickLateWithoutShiftingTheStream) {
  InputBuffer b(3);
  anchor_one_per_tick(b);
  bool fresh = false;
  b.next(fresh);  // 5's tick: nothing, repeats
  send_paced(b, 5);
  const Command five = b.next(fresh);  // 6's tick: 6 has not come; 5 stands in
  EXPECT_TRUE(fresh);
  EXPECT_EQ(five.sequence, 5u);
  EXPECT_EQ(b.waiting_at_take(), 0u) << "nothing for this tick or later";
  send_paced(b, 6);
  send_paced(b, 7);
  const Command seven = b.next(fresh);  // 7's tick: 6 is late and folded, 7 on time
  EXPECT_EQ(seven.sequence, 7u);
  EXPECT_EQ(b.late(), 2u);
  EXPECT_EQ(b.last_applied(), 7u);
}

TEST(InputBuffer, AnchoringTakesTheEarliestOfItsSamplesSoTheOthersAreLateNeverWaiting) {
  InputBuffer b(3);
  bool fresh = false;
  // 1, 2 and 4 arrive just in time for their ticks; 3 a tick early
  // (right after 2).
  send_paced(b, 1);
  EXPECT_EQ(b.next(fresh).sequence, 1u);
  b.push(seqs(1, 2));
  b.push(seqs(1, 3));
  EXPECT_EQ(b.next(fresh).sequence, 2u);
  EXPECT_EQ(b.next(fresh).sequence, 3u);  // not anchored yet: in order
  send_paced(b, 4);                       // 4th sample: anchored on 3's arrival
  // On 3's anchor every command is due a tick earlier than 1, 2 and 4 came:
  // 4's tick is past, and 4 stands in for 5's tick.
  EXPECT_EQ(b.next(fresh).sequence, 4u);
  EXPECT_EQ(b.late(), 1u);
  // 5 and 6 come together: 5 is late and folded, 6 is on its own tick.
  send_paced(b, 5);
  send_paced(b, 6);
  EXPECT_EQ(b.next(fresh).sequence, 6u);
  EXPECT_EQ(b.waiting_at_take(), 1u);
  EXPECT_EQ(b.late(), 2u);
  EXPECT_EQ(b.lost(), 0u);
  // A client sending a tick earlier from here (its pacing, told input_queue)
  // is on time: 7 and 8 arrive before 7's tick, and 8 waits for its own.
  send_paced(b, 7);
  send_paced(b, 8);
  EXPECT_EQ(b.next(fresh).sequence, 7u);
  EXPECT_EQ(b.waiting_at_take(), 2u);
  EXPECT_EQ(b.next(fresh).sequence, 8u);
  EXPECT_EQ(b.late(), 2u);
}

TEST(InputBuffer, AStallStartsTheAnchoringAgainAndThePacedStreamLosesNothing) {
  InputBuffer b(3);
  anchor_one_per_tick(b);
  bool fresh = false;
  for (int i = 0; i < 12; ++i) b.next(fresh);  // the client stalled for 12 ticks
  EXPECT_FALSE(fresh);
  // It resumes one per tick with 5: far behind its old ticks, so the buffer
  // anchors again and takes it now instead of folding every command.
  for (std::uint32_t s = 5; s <= 20; ++s) {
    send_paced(b, s);
    EXPECT_EQ(b.next(fresh).sequence, s);
    EXPECT_TRUE(fresh);
  }
  EXPECT_EQ(b.reanchors(), 1u);
  EXPECT_EQ(b.late(), 0u);
  EXPECT_EQ(b.lost(), 0u);
}

TEST(InputBuffer, AJumpInNumberingDoesNotMakeTheBufferWaitForItsTick) {
  InputBuffer b(3);
  anchor_one_per_tick(b);
  bool fresh = false;
  // 1000 would be due 996 ticks from now: the buffer anchors again instead.
  b.push(seqs(1000, 1000));
  EXPECT_EQ(b.next(fresh).sequence, 1000u);
  EXPECT_TRUE(fresh);
  EXPECT_EQ(b.reanchors(), 1u);
  EXPECT_EQ(b.lost(), InputBuffer::kMaxCountedGap);
}
