#pragma once
// Runs Store jobs on its own thread so the tick never waits on Redis.
// The queue is bounded: when it is full, post() returns false and the
// caller counts the drop. call() also brings the answer back: its `done`
// runs on whichever thread calls run_completions() (the tick thread), so
// tick-side state is never touched from the worker.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>
#include <thread>

#include "core/bounded_queue.h"
#include "server/store/store.h"

namespace qbot::server {

class IoWorker {
 public:
  using Job = std::function<void(Store&)>;

  IoWorker(Store& store, std::size_t capacity);
  ~IoWorker();
  IoWorker(const IoWorker&) = delete;
  IoWorker& operator=(const IoWorker&) = delete;

  bool post(Job job);

  /// Runs `job` on the worker, then `done(result)` at the next
  /// run_completions(). False (nothing runs) when the queue is full.
  template <class T>
  bool call(std::function<T(Store&)> job, std::function<void(T&)> done) {
    return post([this, job = std::move(job), done = std::move(done)](Store& store) mutable {
      auto result = std::make_shared<T>(job(store));
      std::lock_guard lock(completions_mu_);
      completions_.push_back([done = std::move(done), result] { done(*result); });
    });
  }
  /// Runs the `done` callbacks of finished call()s; returns how many ran.
  std::size_t run_completions();
  /// Stops accepting jobs, runs what is queued (e.g. a final deregister),
  /// and joins. Idempotent.
  void stop();

  std::size_t queued() const { return queue_.size(); }

 private:
  void run();

  Store& store_;
  core::BoundedQueue<Job> queue_;
  std::atomic<bool> stopping_{false};
  std::mutex completions_mu_;
  std::vector<std::function<void()>> completions_;
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace qbot::server
