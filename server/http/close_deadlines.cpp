#include "server/http/close_deadlines.h"

#include <algorithm>

namespace qbot::server {

CloseDeadlines::CloseDeadlines(std::chrono::milliseconds grace) : grace_(grace), thread_([this] { run(); }) {}

CloseDeadlines::~CloseDeadlines() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void CloseDeadlines::arm(ForceClosable& c) {
  {
    std::lock_guard lock(mutex_);
    armed_.emplace(&c, Clock::now() + grace_);  // emplace: an armed one keeps its deadline
  }
  wake_.notify_one();
}

void CloseDeadlines::disarm(ForceClosable& c) {
  std::lock_guard lock(mutex_);  // waits for a force_close under way
  armed_.erase(&c);
}

/// Sleeps until the earliest deadline (or an arm, or the stop), then ends
/// every connection whose deadline passed. force_close runs under the lock,
/// so a disarm that returned guarantees the connection is not touched again.
void CloseDeadlines::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (armed_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto earliest = std::min_element(armed_.begin(), armed_.end(),
                                           [](const auto& a, const auto& b) { return a.second < b.second; });
    if (wake_.wait_until(lock, earliest->second) == std::cv_status::no_timeout) continue;
    const auto now = Clock::now();
    for (auto it = armed_.begin(); it != armed_.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      it->first->force_close();
      it = armed_.erase(it);
    }
  }
}

}  // namespace qbot::server
