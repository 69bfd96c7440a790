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
  return r;
}

sim::Command InputBuffer::next(bool& fresh) {
  waiting_at_take_ = pending_.size();
  if (pending_.empty()) {
    fresh = false;
    sim::Command repeat = last_;
    repeat.buttons = static_cast<std::uint8_t>(repeat.buttons & ~sim::kUseModule);
    return repeat;
  }
  fresh = true;
  last_ = pending_.front();
  pending_.pop_front();
  last_applied_ = last_.sequence;
  return last_;
}

}  // namespace qbot::server
