#pragma once
// The server's word on closing: once HttpServer sends a WebSocket its close
// frame, that connection ends within a grace period whatever its peer does
// (answers, ignores the close, goes silent, or trickles bytes). civetweb
// itself ends a WebSocket only when its peer closes or sends a frame that the
// data handler refuses, and each open WebSocket holds one of its threads, so
// without this deadline a peer that ignores the close would keep that thread
// for ever, and enough of them would starve /metrics and /healthz.
//
// One thread for all: it sleeps until the earliest deadline and shuts down
// the sockets whose deadline passed. Arming is cheap and never blocks on a
// socket (the spectator hub arms from its writers).
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace qbot::server {

/// A connection the deadline thread can end.
class ForceClosable {
 public:
  virtual ~ForceClosable() = default;
  /// Ends the connection now (shuts its socket down, so civetweb's blocked
  /// read and write return and its close handler runs). Called on the
  /// deadline thread with that thread's lock held: must not arm or disarm.
  virtual void force_close() = 0;
};

class CloseDeadlines {
 public:
  using Clock = std::chrono::steady_clock;
  explicit CloseDeadlines(std::chrono::milliseconds grace);
  /// Stops the thread (armed connections are left to civetweb's shutdown).
  ~CloseDeadlines();
  CloseDeadlines(const CloseDeadlines&) = delete;
  CloseDeadlines& operator=(const CloseDeadlines&) = delete;

  /// `c` is ended at now + grace unless disarmed before. Arming again keeps
  /// the first deadline (a second close frame does not extend the first).
  void arm(ForceClosable& c);
  /// `c` is closing by itself or going away: after this returns, force_close
  /// is neither running nor called for it. Must be called before `c` dies.
  void disarm(ForceClosable& c);
  std::chrono::milliseconds grace() const { return grace_; }

 private:
  void run();

  const std::chrono::milliseconds grace_;
  std::mutex mutex_;  // the fields below
  std::condition_variable wake_;
  bool stop_ = false;
  std::map<ForceClosable*, Clock::time_point> armed_;
  std::thread thread_;  // last: started once the fields above exist
};

}  // namespace qbot::server
