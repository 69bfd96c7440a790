#pragma once
// Per-player jitter buffer of input commands (Fiedler / Overwatch style).
// Inputs arrive with redundancy (the last N commands in every packet); the
// buffer keeps each sequence once, holds at most `burst` commands ahead of
// the simulation (plus one per tick the server owes when it runs late), and
// hands out exactly one command per tick. A client that floods inputs
// therefore cannot act more than once per tick.
//
// Each command has its own tick. Once a paced stream is established (the
// first kAnchorSamples packets), command s is due at take s + offset: the
// earliest of those packets, relative to its number, fixes the offset, so
// early ones wait and late ones are late. A command that arrives after its
// tick does not push every later command one tick back (which kept a
// jittery client's queue one command longer for seconds): the tick it missed
// repeated the previous command, and the late command is folded into the
// next tick taken (its module press still acts; see next()). A packet whose
// command is more than kReanchorTicks late (the client stalled) or due
// beyond what the buffer could hold (its numbering jumped) starts the
// anchoring again; until anchored, commands are taken in order, one per tick.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>

#include "sim/command.h"

namespace qbot::server {

class InputBuffer {
 public:
  static constexpr std::size_t kAnchorSamples = 4;
  static constexpr std::int64_t kReanchorTicks = 3;

  explicit InputBuffer(std::size_t burst = 3) : burst_(burst == 0 ? 1 : burst) {}

  struct PushResult {
    std::uint32_t accepted = 0;
    std::uint32_t duplicate = 0;  // already buffered or applied (redundancy)
    std::uint32_t overflow = 0;   // beyond the burst allowance: refused (a later copy may fit)
    std::uint32_t lost = 0;       // commands skipped for good by this push (see lost())
  };
  /// `cmds` ascending by sequence (the decoder guarantees it). `catch_up`:
  /// ticks the server will run back to back before it next receives, beyond
  /// the one `burst` allows for (it fell behind its schedule): the buffer
  /// takes that many more, since those ticks consume them.
  PushResult push(std::span<const sim::Command> cmds, std::size_t catch_up = 0);

  /// The command for the next tick: the one due at it, else the newest late
  /// one (applied a tick late), else the last command repeated (movement and
  /// aim continue; the one-shot module button does not) with `fresh` false.
  /// Older late commands are skipped but their module press is carried into
  /// the command returned, so no press is ever lost.
  sim::Command next(bool& fresh);

  /// Sequence of the newest command handed out by next() (0 = none).
  std::uint32_t last_applied() const { return last_applied_; }
  std::size_t pending() const { return pending_.size(); }
  /// Commands that were waiting when next() was last called, for its tick or
  /// later, the one it took included (0..burst, more only after a push with
  /// a catch-up allowance; 0 = none for this tick or later had arrived).
  /// Late commands are not counted: they are behind. Snapshots report it
  /// (Snapshot.input_queue) so the client can pace its sends.
  std::size_t waiting_at_take() const { return waiting_at_take_; }
  /// Commands this buffer will never hand out (wraps at 2^32): when a
  /// command is accepted, the sequences between it and the newest accepted
  /// before it are gone (refused by the full buffer or lost in the network,
  /// and absent from every later packet's redundancy window). A copy refused
  /// by the full buffer that comes back in a later packet and fits is not
  /// lost. Snapshots report it (Snapshot.inputs_dropped). A gap counts at most
  /// kMaxCountedGap, so a client jumping its numbering cannot inflate the
  /// server-wide count.
  std::uint32_t lost() const { return lost_; }
  static constexpr std::uint32_t kMaxCountedGap = 64;
  /// Commands taken after their tick: applied a tick late or folded into a
  /// later one (wraps at 2^32). Not lost: see next().
  std::uint32_t late() const { return late_; }
  /// Times the buffer started anchoring again after it had a stream.
  std::uint32_t reanchors() const { return reanchors_; }

 private:
  /// Where a packet whose newest accepted command is `newest` puts the
  /// stream's ticks: a sample while anchoring, else a check that it still fits.
  void place(std::uint32_t newest, std::size_t capacity);
  sim::Command repeat_last(bool& fresh);
  sim::Command apply(sim::Command c, bool& fresh);

  std::size_t burst_;
  std::deque<sim::Command> pending_;
  std::uint32_t newest_seen_ = 0;
  std::uint32_t last_applied_ = 0;
  std::uint32_t lost_ = 0;
  std::uint32_t late_ = 0;
  std::uint32_t reanchors_ = 0;
  std::size_t waiting_at_take_ = 0;
  sim::Command last_{};
  std::int64_t takes_ = 0;              // next() calls so far: the index of the next take
  std::optional<std::int64_t> offset_;  // command s is due at take s + offset_
  std::array<std::int64_t, kAnchorSamples> samples_{};
  std::size_t sampled_ = 0;
};

}  // namespace qbot::server
