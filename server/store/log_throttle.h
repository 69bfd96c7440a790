#pragma once
// At most one log line per key per period, with a count of what was left
// out: for failures that can repeat many times a second (a Redis outage, a
// wrong-typed key read on every poll). Pure: time is a parameter, so tests
// run on virtual time. Not thread-safe (its owner locks).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace qbot::server {

class LogThrottle {
 public:
  explicit LogThrottle(std::uint64_t period_ms) : period_ms_(period_ms) {}

  struct Verdict {
    bool log = false;
    std::uint64_t suppressed = 0;  // events of this key since its last logged one (when log)
  };
  /// Records `events` events of `key` at `now_ms`. Logs the first, then at
  /// most one per `period_ms`; the verdict that logs carries how many events
  /// were suppressed since the previous line (its own are not among them). Keys must come from a small closed
  /// set (each one is kept).
  Verdict note(std::string_view key, std::uint64_t now_ms, std::uint64_t events = 1) {
    auto [it, fresh] = keys_.try_emplace(std::string(key));
    State& s = it->second;
    if (!fresh && now_ms < s.last_log_ms + period_ms_) {
      s.suppressed += events;
      return {};
    }
    const Verdict v{true, s.suppressed};
    s.last_log_ms = now_ms;
    s.suppressed = 0;  // the logged line reports its own events
    return v;
  }

 private:
  struct State {
    std::uint64_t last_log_ms = 0;
    std::uint64_t suppressed = 0;
  };
  std::uint64_t period_ms_;
  std::map<std::string, State, std::less<>> keys_;
};

}  // namespace qbot::server
