#include "core/worker_pool.h"

namespace qbot::core {

WorkerPool::WorkerPool(std::size_t lanes) {
  for (std::size_t lane = 1; lane < lanes; ++lane) threads_.emplace_back([this, lane] { thread_main(lane); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  start_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::run(std::size_t count, const Task& task) {
  if (threads_.empty() || count <= 1) {
    for (std::size_t i = 0; i < count; ++i) task(i, 0);
    return;
  }
  {
    std::lock_guard lock(mu_);
    task_ = &task;
    count_ = count;
    next_.store(0, std::memory_order_relaxed);
    busy_ = threads_.size();
    generation_ += 1;
  }
  start_.notify_all();
  work(0);
  // The batch is over only when every thread has left work(): until then one
  // may still be running its last task (and task_ must stay valid).
  std::unique_lock lock(mu_);
  finished_.wait(lock, [&] { return busy_ == 0; });
  task_ = nullptr;
}

void WorkerPool::work(std::size_t lane) {
  for (std::size_t i = next_.fetch_add(1, std::memory_order_relaxed); i < count_;
       i = next_.fetch_add(1, std::memory_order_relaxed)) {
    (*task_)(i, lane);
  }
}

void WorkerPool::thread_main(std::size_t lane) {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    work(lane);
    {
      std::lock_guard lock(mu_);
      busy_ -= 1;
    }
    finished_.notify_one();
  }
}

}  // namespace qbot::core
