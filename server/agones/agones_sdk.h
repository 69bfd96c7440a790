#pragma once
// The Agones SDK sidecar, spoken to from a thread of its own: the tick posts
// calls (AgonesCall) into a small bounded queue and never waits for the
// sidecar. The thread sends them in order over the REST gateway; a call the
// sidecar does not take yet (not up: it may start after us, or answers 5xx)
// is retried with exponential backoff, except Health, which is dropped (the
// next ping follows). A 4xx answer is final (logged, counted as failed).
// While the queue is empty the thread reads GET /gameserver every
// watch_period: a GameServer that Agones moved to Shutdown makes
// shutdown_requested() true, which starts the server's drain.
//
// Bounded: at most queue_capacity calls wait; a Health while another waits,
// and a Counter update while one for the same counter waits, are merged
// into it (not queued); anything else that does not fit is dropped and
// counted. Requests have short timeouts (the sidecar is on localhost).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"
#include "server/agones/agones_calls.h"

namespace qbot::server {

struct AgonesSdkConfig {
  std::string base_url = "http://127.0.0.1:9358";
  std::size_t queue_capacity = 32;
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{2000};
  std::chrono::milliseconds watch_period{2000};
};

class AgonesSdk {
 public:
  struct Totals {
    std::uint64_t ok = 0;       // calls the sidecar accepted
    std::uint64_t failed = 0;   // refused (4xx), or a Health it did not take
    std::uint64_t dropped = 0;  // did not fit in the queue, or still queued at stop()
  };

  /// Starts the thread.
  explicit AgonesSdk(AgonesSdkConfig config);
  /// stop() with no time left: what is still queued is dropped.
  ~AgonesSdk();
  AgonesSdk(const AgonesSdk&) = delete;
  AgonesSdk& operator=(const AgonesSdk&) = delete;

  /// Queues `call`; never waits for the network. False if it was dropped
  /// (queue full, or stopped); true if queued or merged into a waiting call.
  bool post(AgonesCall call);
  /// Keeps sending (and retrying) what is queued for at most `within`, then
  /// joins the thread. Idempotent.
  void stop(std::chrono::milliseconds within);

  /// True once GET /gameserver said the GameServer is in state Shutdown.
  bool shutdown_requested() const { return shutdown_requested_.load(std::memory_order_acquire); }
  Totals totals() const;

  /// Blocking (startup only, before the tick exists): GET /gameserver until
  /// it answers with an address, retrying with backoff for up to `within`.
  /// Fails with the last reason (sidecar unreachable, no address yet, bad JSON).
  static core::Result<GameServerStatus, std::string> wait_for_game_server(const std::string& base_url,
                                                                          std::chrono::milliseconds within);

 private:
  enum class Outcome : std::uint8_t { Ok, Refused, NotTaken };
  void run();
  Outcome send(http::Client& client, const AgonesCall& call);
  void watch(http::Client& client);
  bool merge(const AgonesCall& call);  // mu_ held
  void finish_front(Outcome outcome);  // mu_ held

  AgonesSdkConfig config_;
  mutable std::mutex mu_;  // guards everything below up to thread_
  std::condition_variable wake_;
  std::deque<AgonesCall> queue_;
  bool sending_front_ = false;  // queue_.front() is on the wire: merge nothing into it
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_by_{};
  Totals totals_;
  std::atomic<bool> shutdown_requested_{false};
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace qbot::server
