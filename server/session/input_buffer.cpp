#include "server/session/input_buffer.h"

namespace qbot::server {

InputBuffer::PushResult InputBuffer::push(std::span<const sim::Command> cmds) {
  PushResult r;
  for (const sim::Command& c : cmds) {
    if (c.sequence <= newest_seen_) {
      r.duplicate += 1;
      continue;
    }
    if (pending_.size() >= burst_) {
      // Do not advance newest_seen_: the same command may come back in a
      // later packet's redundancy window once there is room.
      r.overflow += 1;
      dropped_ += 1;
      continue;
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
