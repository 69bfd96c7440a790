#pragma once
// Runs Store jobs on its own thread so the tick never waits on Redis.
// The queue is bounded: when it is full, post() returns false and the
// caller counts the drop.
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "core/bounded_queue.h"
#include "server/matchmaking/store.h"

namespace qbot::server {

class StoreWorker {
 public:
  using Job = std::function<void(Store&)>;

  StoreWorker(Store& store, std::size_t capacity);
  ~StoreWorker();
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  bool post(Job job);
  /// Stops accepting jobs, runs what is queued (e.g. a final deregister),
  /// and joins. Idempotent.
  void stop();

  std::size_t queued() const { return queue_.size(); }

 private:
  void run();

  Store& store_;
  core::BoundedQueue<Job> queue_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace qbot::server
