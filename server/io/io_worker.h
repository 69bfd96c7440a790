#pragma once
// Runs Store jobs and disk writes off the tick thread, so the tick never
// waits on Redis or a disk. call() also brings the answer back: its `done`
// runs on whichever thread calls run_completions() (the tick thread), so
// tick-side state is never touched from the worker.
//
// Bounded by construction: at most `capacity` jobs are in flight, where a
// job is in flight from post()/call() until it has run (post) or until its
// `done` has run in run_completions() (call). So the job queue and the list
// of finished answers together never hold more than `capacity` entries, and
// nothing is ever dropped after it was accepted: a call() that returned true
// WILL have its `done` run by a later run_completions() (callers may keep an
// "in flight" flag on that promise). What does not fit is refused up front:
// post()/call() return false, nothing runs, and refused() counts it.
//
// Two lanes share that bound and the answers: the store lane (post/call) and
// the disk lane (call_disk), a thread of its own that never waits behind a
// stalled store call, for writes that must happen now (a finished match's
// result goes to the journal before anything else).
//
// Two modes. Thread: jobs run in FIFO order on the lane's own thread.
// Inline (unit tests without threads): a job runs inside post()/call(), in
// the caller's thread; `done` still waits for run_completions(), so callers
// see the same order of events as with the thread.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/bounded_queue.h"
#include "server/store/store.h"

namespace qbot::server {

class IoWorker {
 public:
  using Job = std::function<void(Store&)>;
  enum class Mode : std::uint8_t { Thread, Inline };

  /// `capacity` (>= 1) bounds the jobs in flight (see above).
  IoWorker(Store& store, std::size_t capacity, Mode mode = Mode::Thread);
  ~IoWorker();
  IoWorker(const IoWorker&) = delete;
  IoWorker& operator=(const IoWorker&) = delete;

  /// Runs `job` on the worker. False (nothing runs, refused() + 1) when
  /// `capacity` jobs are in flight or after stop().
  bool post(Job job);

  /// Runs `job` on the worker, then `done(result)` at a later
  /// run_completions(). False (neither runs, refused() + 1) when `capacity`
  /// jobs are in flight or after stop(). True: `done` will run exactly once.
  template <class T>
  bool call(std::function<T(Store&)> job, std::function<void(T&)> done) {
    return submit([job = std::move(job), done = std::move(done)](Store& store) mutable -> Completion {
      auto result = std::make_shared<T>(job(store));
      return [done = std::move(done), result] { done(*result); };
    });
  }

  /// Like call(), but `job` runs on the disk lane: it starts at once even
  /// while the store lane waits on an unreachable store. Same bound, same
  /// promise (true: `done` runs exactly once), same refusals.
  template <class T>
  bool call_disk(std::function<T()> job, std::function<void(T&)> done) {
    return submit(
        [job = std::move(job), done = std::move(done)](Store&) mutable -> Completion {
          auto result = std::make_shared<T>(job());
          return [done = std::move(done), result] { done(*result); };
        },
        disk_queue_);
  }

  /// Runs the `done` of every call() finished so far, in the order their
  /// jobs finished; returns how many ran. A `done` may post() or call()
  /// again (its own slot is free by then); what that adds runs at the next
  /// run_completions().
  std::size_t run_completions();

  /// Stops accepting jobs, runs what is queued (e.g. a final deregister),
  /// and joins. Answers of queued call()s stay for run_completions().
  /// Idempotent.
  void stop();

  std::size_t capacity() const { return capacity_; }
  /// Jobs accepted whose work or answer is not finished yet (<= capacity()).
  std::size_t in_flight() const;
  /// post()/call()s refused since construction (full or stopped).
  std::uint64_t refused() const;
  /// Jobs waiting for the worker's threads (0 in Inline mode).
  std::size_t queued() const { return queue_.size() + disk_queue_.size(); }

 private:
  using Completion = std::function<void()>;
  /// A job, returning the answer to deliver (empty for post()).
  using Task = std::function<Completion(Store&)>;

  bool submit(Task task) { return submit(std::move(task), queue_); }
  bool submit(Task task, core::BoundedQueue<Task>& lane);
  void finish(Completion completion);
  void run(core::BoundedQueue<Task>& lane);

  Store& store_;
  const std::size_t capacity_;
  const Mode mode_;
  core::BoundedQueue<Task> queue_;       // the store lane
  core::BoundedQueue<Task> disk_queue_;  // the disk lane
  mutable std::mutex mu_;                // guards everything below
  bool stopping_ = false;
  std::size_t in_flight_ = 0;
  std::uint64_t refused_ = 0;
  std::vector<Completion> completions_;  // finished call()s; size <= in_flight_ <= capacity_
  std::thread thread_;                   // last: start after everything above exists
  std::thread disk_thread_;
};

}  // namespace qbot::server
