#pragma once
// A fixed set of threads that run one batch of independent tasks at a time:
// run(count, task) calls task(index, lane) for every index in [0, count),
// spread over the pool's threads AND the caller, and returns when all are
// done. `lane` (0..lanes()-1) says which thread runs the task, so callers
// keep per-lane scratch space without locks. With one lane it is a plain
// loop on the caller's thread. Used to step arenas in parallel (--workers).
#include <atomic>
#include <condition_variable>
#include <cstddef>
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

 private:
  void work(std::size_t lane);  // claims indices until none are left
  void thread_main(std::size_t lane);

  std::mutex mu_;
  std::condition_variable start_;
  std::condition_variable finished_;
  std::uint64_t generation_ = 0;  // bumped per batch (guarded by mu_)
  std::size_t busy_ = 0;          // threads still inside this batch (guarded by mu_)
  bool stopping_ = false;
  const Task* task_ = nullptr;
  std::size_t count_ = 0;
  std::atomic<std::size_t> next_{0};
  std::vector<std::thread> threads_;
};

}  // namespace qbot::core
