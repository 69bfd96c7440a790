#include "server/session/input_buffer.h"

#include <algorithm>

namespace qbot::server {

InputBuffer::PushResult InputBuffer::push(std::span<const sim::Command> cmds, std::size_t catch_up) {
  PushResult r;
  const std::size_t capacity = burst_ + catch_up;
  for (const sim::Command& c : cmds) {
    if (c.sequence <= newest_seen_) {
      r.duplicate += 1;
      continue;
    }
    if (pending_.size() >= capacity) {
      // Do not advance newest_seen_: the same command may come back in a
      // later packet's redundancy window once there is room.
      r.overflow += 1;
      continue;
    }
    // The first command accepted says nothing of numbers before it (a client
    // may start anywhere); after that, every skipped number is gone.
    if (newest_seen_ != 0 && c.sequence > newest_seen_ + 1) {
      const std::uint32_t gap = std::min(c.sequence - newest_seen_ - 1, kMaxCountedGap);
      r.lost += gap;
      lost_ += gap;
    }
    pending_.push_back(c);
    newest_seen_ = c.sequence;
    r.accepted += 1;
  }
  if (r.accepted > 0) place(newest_seen_, capacity);
  return r;
}

// A packet's arrival, in ticks, is the take it can first be used by
// (takes_). Anchoring on the earliest of kAnchorSamples packets relative to
// their numbers sets the offset low: at first some commands are late (and
// folded) rather than a whole tick waiting, and the client's pacing, told by
// input_queue, moves its sends earlier until they are on time.
void InputBuffer::place(std::uint32_t newest, std::size_t capacity) {
  const std::int64_t at = takes_ - static_cast<std::int64_t>(newest);  // the offset if due at the next take
  if (offset_) {
    const std::int64_t due = static_cast<std::int64_t>(newest) + *offset_;
    if (due >= takes_ - kReanchorTicks && due <= takes_ + static_cast<std::int64_t>(capacity)) return;
    offset_.reset();  // a stall, or a jump in numbering: find the stream's ticks again
    sampled_ = 0;
    reanchors_ += 1;
  }
  samples_[sampled_++] = at;
  if (sampled_ == kAnchorSamples) offset_ = *std::min_element(samples_.begin(), samples_.end());
}

sim::Command InputBuffer::next(bool& fresh) {
  const std::int64_t take = takes_++;
  // The sequence this tick is for. Not anchored: the oldest waiting (in
  // order, one per tick), so nothing below is late.
  std::int64_t due = 0;
  if (offset_) {
    due = take - *offset_;
  } else if (!pending_.empty()) {
    due = pending_.front().sequence;
  }
  std::optional<sim::Command> newest_late;
  std::uint8_t late_presses = 0;
  while (!pending_.empty() && static_cast<std::int64_t>(pending_.front().sequence) < due) {
    newest_late = pending_.front();
    late_presses = static_cast<std::uint8_t>(late_presses | (pending_.front().buttons & sim::kUseModule));
    pending_.pop_front();
    late_ += 1;
  }
  waiting_at_take_ = pending_.size();
  sim::Command c;
  if (!pending_.empty() && static_cast<std::int64_t>(pending_.front().sequence) == due) {
    c = pending_.front();
    pending_.pop_front();
  } else if (newest_late) {
    c = *newest_late;  // its own tick repeated the one before; it stands in for this one
  } else {
    return repeat_last(fresh);
  }
  c.buttons = static_cast<std::uint8_t>(c.buttons | late_presses);
  return apply(c, fresh);
}

sim::Command InputBuffer::repeat_last(bool& fresh) {
  fresh = false;
  sim::Command repeat = last_;
  repeat.buttons = static_cast<std::uint8_t>(repeat.buttons & ~sim::kUseModule);
  return repeat;
}

sim::Command InputBuffer::apply(sim::Command c, bool& fresh) {
  fresh = true;
  last_ = c;
  last_applied_ = c.sequence;
  return c;
}

}  // namespace qbot::server
