#pragma once
// How long a queued ticket will still wait, from how long recent tickets of
// the same queue ("mode/region") waited until they were assigned: a bounded
// moving window per queue, its median minus what the ticket already waited.
// A queue with no history yet uses the fallback: the matchmaker's fill
// timeout, the longest a ticket waits once enough players are queued.
// Pure: no clock, no I/O; bounded in memory whatever queue names clients send
// (at most kMaxQueues queues, the least recently fed one forgotten first).
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace qbot::server {

class WaitEstimator {
 public:
  static constexpr std::size_t kWindow = 16;      // recent times to match kept per queue
  static constexpr std::size_t kMaxQueues = 256;  // queues remembered

  explicit WaitEstimator(std::uint64_t fallback_ms) : fallback_ms_(fallback_ms) {}

  /// A ticket of `queue` was assigned after waiting `time_to_match_ms`.
  void record(const std::string& queue, std::uint64_t time_to_match_ms);

  /// Estimated remaining wait of a ticket of `queue` that has waited
  /// `waited_ms`: the window's median minus waited_ms, or (no history, or
  /// waited past the median) the fallback minus waited_ms; at least 1 ms (0 means "unknown" on the wire, and this
  /// always knows something), at most UINT32_MAX.
  std::uint32_t remaining_ms(const std::string& queue, std::uint64_t waited_ms) const;

  /// Times to match recorded for `queue` still in its window (0..kWindow).
  std::size_t samples(const std::string& queue) const;
  std::size_t queues() const { return windows_.size(); }

 private:
  struct Window {
    std::array<std::uint64_t, kWindow> ms{};
    std::size_t count = 0;  // valid entries (≤ kWindow)
    std::size_t next = 0;   // slot the next sample overwrites
    std::uint64_t fed = 0;  // record() call number of the newest sample: eviction order
  };
  static std::uint64_t median(const Window& w);

  std::uint64_t fallback_ms_;
  std::uint64_t records_ = 0;
  std::map<std::string, Window> windows_;
};

}  // namespace qbot::server
