#include "core/worker_pool.h"

#include <chrono>

namespace qbot::core {

namespace {
constexpr auto kSpinBeforeSleep = std::chrono::microseconds(200);

constexpr std::uint64_t cursor_of(std::uint32_t generation, std::uint32_t index) {
  return (std::uint64_t{generation} << 32) | index;
}
}  // namespace

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

std::vector<std::thread::native_handle_type> WorkerPool::native_handles() {
  std::vector<std::thread::native_handle_type> out;
  for (auto& t : threads_) out.push_back(t.native_handle());
  return out;
}

void WorkerPool::run(std::size_t count, const Task& task) {
  if (threads_.empty() || count <= 1) {
    for (std::size_t i = 0; i < count; ++i) task(i, 0);
    return;
  }
  Batch batch;
  {
    std::lock_guard lock(mu_);
    batch_.generation += 1;
    batch_.task = &task;
    batch_.count = count;
    batch = batch_;
    done_.store(0, std::memory_order_relaxed);
    cursor_.store(cursor_of(batch.generation, 0), std::memory_order_release);
  }
  start_.notify_all();
  work(batch, 0);
  // Every index is claimed; at most lanes() - 1 tasks are still running, each
  // a fraction of the batch. Spin briefly before sleeping: a futex wake-up
  // costs more than the wait it saves, and it lands on the tick's clock.
  const auto spin_until = std::chrono::steady_clock::now() + kSpinBeforeSleep;
  while (done_.load(std::memory_order_acquire) != count && std::chrono::steady_clock::now() < spin_until) {
    std::this_thread::yield();
  }
  std::unique_lock lock(mu_);
  finished_.wait(lock, [&] { return done_.load(std::memory_order_acquire) == count; });
}

void WorkerPool::work(const Batch& batch, std::size_t lane) {
  std::uint64_t cur = cursor_.load(std::memory_order_acquire);
  for (;;) {
    const auto generation = static_cast<std::uint32_t>(cur >> 32);
    const auto index = static_cast<std::uint32_t>(cur);
    if (generation != batch.generation || index >= batch.count) return;
    if (!cursor_.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel)) continue;  // cur reloaded
    (*batch.task)(index, lane);
    if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == batch.count) {
      // Taking the lock orders this notify after the caller's check, so the
      // wake-up cannot fall between its test and its wait.
      std::lock_guard lock(mu_);
      finished_.notify_one();
    }
    cur = cursor_.load(std::memory_order_acquire);
  }
}

void WorkerPool::thread_main(std::size_t lane) {
  std::uint32_t seen = 0;
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(mu_);
      start_.wait(lock, [&] { return stopping_ || batch_.generation != seen; });
      if (stopping_) return;
      batch = batch_;
      seen = batch.generation;
    }
    work(batch, lane);
  }
}

}  // namespace qbot::core
