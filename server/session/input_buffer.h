#pragma once
// Per-player jitter buffer of input commands (Fiedler / Overwatch style).
// Inputs arrive with redundancy (the last N commands in every packet); the
// buffer keeps each sequence once, holds at most `burst` commands ahead of
// the simulation (plus one per tick the server owes when it runs late), and
// hands out exactly one command per tick. A client that
// floods inputs therefore cannot act more than once per tick.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>

#include "sim/command.h"

namespace qbot::server {

class InputBuffer {
 public:
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

  /// The command for the next tick. When nothing new has arrived the last
  /// command repeats (movement and aim continue; the one-shot module button
  /// does not), and `fresh` is false.
  sim::Command next(bool& fresh);

  /// Sequence of the newest command handed out by next() (0 = none).
  std::uint32_t last_applied() const { return last_applied_; }
  std::size_t pending() const { return pending_.size(); }
  /// Commands that were waiting when next() was last called, the one it
  /// took included (0..burst, more only after a push with a catch-up
  /// allowance; 0 = it found none and repeated). Snapshots
  /// report it (Snapshot.input_queue) so the client can pace its sends.
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

 private:
  std::size_t burst_;
  std::deque<sim::Command> pending_;
  std::uint32_t newest_seen_ = 0;
  std::uint32_t last_applied_ = 0;
  std::uint32_t lost_ = 0;
  std::size_t waiting_at_take_ = 0;
  sim::Command last_{};
};

}  // namespace qbot::server
