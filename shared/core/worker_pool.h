#pragma once
// A fixed set of threads that run one batch of independent tasks at a time:
// run(count, task) calls task(index, lane) for every index in [0, count),
// spread over the pool's threads AND the caller, and returns when all are
// done. `lane` (0..lanes()-1) says which thread runs the task, so callers
// keep per-lane scratch space without locks. With one lane it is a plain
// loop on the caller's thread. Used to step arenas in parallel (--workers).
//
// run() waits for the batch's tasks, never for a thread: a worker that has
// not woken up yet (its core busy elsewhere) simply finds nothing left to
// claim, so on a loaded box the caller does the work itself instead of
// waiting a scheduler time slice for a helper.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace qbot::core {

class WorkerPool {
 public:
  using Task = std::function<void(std::size_t index, std::size_t lane)>;

  /// `lanes` >= 1: the caller plus lanes - 1 threads.
  explicit WorkerPool(std::size_t lanes);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void run(std::size_t count, const Task& task);
  std::size_t lanes() const { return threads_.size() + 1; }
  /// Native handles of the pool's own threads (not the caller), e.g. to set
  /// their scheduling priority.
  std::vector<std::thread::native_handle_type> native_handles();

 private:
  struct Batch {
    std::uint32_t generation = 0;
    const Task* task = nullptr;
    std::size_t count = 0;
  };
  /// Runs indices of `batch` until none are left; an index is claimed only
  /// while its generation is current, so a late thread never runs a task of
  /// a batch that has already returned.
  void work(const Batch& batch, std::size_t lane);
  void thread_main(std::size_t lane);

  std::mutex mu_;
  std::condition_variable start_;
  std::condition_variable finished_;
  Batch batch_;            // the current batch (guarded by mu_)
  bool stopping_ = false;  // guarded by mu_
  // generation << 32 | next index to claim: claiming is one compare-exchange
  // that fails once the batch is over or replaced.
  std::atomic<std::uint64_t> cursor_{0};
  std::atomic<std::size_t> done_{0};  // tasks of the current batch finished
  std::vector<std::thread> threads_;
};

}  // namespace qbot::core
