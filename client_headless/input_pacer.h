#pragma once
// When to send the next input command: the client side of input pacing
// (docs/PROTOCOL.md, "Writing a client"). The server applies one command per
// tick and keeps at most 3 waiting; every Snapshot says how many of ours
// were waiting when its tick took one (`input_queue`). The pacer sends one
// command per tick interval, stretched or shrunk by a few percent (time
// dilation) to keep that number a little above one: enough to ride out
// network jitter, never close to the limit.
// After a stall it resumes at its cadence instead of catching up with a burst
// the server would drop. Time is a parameter: tests drive it virtually.
#include <chrono>
#include <cstdint>

namespace qbot::client {

class InputPacer {
 public:
  using Nanos = std::chrono::nanoseconds;

  // Commands waiting when the server's tick takes one. The server gives each
  // command its own tick (docs/PROTOCOL.md §9.1), so through jitter the
  // queue reads 0, 1 or 2; a mean of 1.4 puts the sends about 13 ms ahead
  // of need through ±15 ms, where a late command is rare and the next-but-one
  // never waits.
  static constexpr double kTargetQueue = 1.4;
  static constexpr double kSmoothing = 0.1;    // weight of each new report in the running mean
  static constexpr double kGain = 0.04;        // interval stretch per command of error
  static constexpr double kMaxStretch = 0.10;  // the interval stays within ±10 % of the tick

  /// The first command is due at `now`; one per 1/tick_rate s after that
  /// (tick_rate 0 is taken as 60).
  void start(Nanos now, std::uint32_t tick_rate);

  /// How many commands to make and send at `now`. Paced (the default):
  /// 0 or 1; a caller more than one interval late (a stall) gets 1 and the
  /// clock restarts from `now`, so the missed interval is never sent as a
  /// burst. With catch_up set (a deliberately naive client, for tests):
  /// every missed interval, at most 64.
  std::uint32_t due(Nanos now);

  /// Time until the next command is due (0 if due already).
  Nanos until_next(Nanos now) const;

  /// One Snapshot's `input_queue`. Reports older than the newest snapshot
  /// must not be passed (they describe the past twice).
  void on_feedback(std::uint8_t input_queue);

  void set_catch_up(bool on) { catch_up_ = on; }
  /// Current interval / nominal interval (1 = exactly the tick rate).
  double stretch() const { return stretch_; }
  double smoothed_queue() const { return smoothed_; }
  std::uint64_t resumes() const { return resumes_; }  // times due() restarted the clock after a stall
  Nanos interval() const;

 private:
  Nanos nominal_{16'666'667};
  Nanos next_{0};
  double smoothed_ = kTargetQueue;
  double stretch_ = 1.0;
  bool catch_up_ = false;
  std::uint64_t resumes_ = 0;
};

}  // namespace qbot::client
