#include "server/matchmaking/wait_estimator.h"

#include <algorithm>
#include <limits>

namespace qbot::server {

void WaitEstimator::record(const std::string& queue, std::uint64_t time_to_match_ms) {
  auto it = windows_.find(queue);
  if (it == windows_.end()) {
    if (windows_.size() >= kMaxQueues) {
      // Forget the queue fed least recently (O(kMaxQueues), once per new queue).
      auto oldest = std::min_element(windows_.begin(), windows_.end(),
                                     [](const auto& a, const auto& b) { return a.second.fed < b.second.fed; });
      windows_.erase(oldest);
    }
    it = windows_.emplace(queue, Window{}).first;
  }
  Window& w = it->second;
  w.ms[w.next] = time_to_match_ms;
  w.next = (w.next + 1) % kWindow;
  w.count = std::min(w.count + 1, kWindow);
  w.fed = ++records_;
}

std::uint64_t WaitEstimator::median(const Window& w) {
  std::array<std::uint64_t, kWindow> sorted = w.ms;
  const auto n = static_cast<std::ptrdiff_t>(w.count);
  std::sort(sorted.begin(), sorted.begin() + n);
  const std::size_t mid = w.count / 2;
  return w.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

std::uint32_t WaitEstimator::remaining_ms(const std::string& queue, std::uint64_t waited_ms) const {
  const auto it = windows_.find(queue);
  const std::uint64_t typical = it == windows_.end() || it->second.count == 0 ? fallback_ms_ : median(it->second);
  std::uint64_t left = typical > waited_ms ? typical - waited_ms : 0;
  // Waited longer than is typical: the fill timeout still bounds the wait.
  if (left == 0 && fallback_ms_ > waited_ms) left = fallback_ms_ - waited_ms;
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(left, 1, std::numeric_limits<std::uint32_t>::max()));
}

std::size_t WaitEstimator::samples(const std::string& queue) const {
  const auto it = windows_.find(queue);
  return it == windows_.end() ? 0 : it->second.count;
}

}  // namespace qbot::server
