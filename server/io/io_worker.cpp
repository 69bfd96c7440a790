#include "server/io/io_worker.h"

#include <algorithm>
#include <chrono>

namespace qbot::server {

IoWorker::IoWorker(Store& store, std::size_t capacity, Mode mode)
    : store_(store),
      capacity_(std::max<std::size_t>(capacity, 1)),
      mode_(mode),
      queue_(capacity_),
      disk_queue_(capacity_) {
  if (mode_ == Mode::Thread) {
    thread_ = std::thread([this] { run(queue_); });
    disk_thread_ = std::thread([this] { run(disk_queue_); });
  }
}

IoWorker::~IoWorker() { stop(); }

bool IoWorker::post(Job job) {
  return submit([job = std::move(job)](Store& store) -> Completion {
    job(store);
    return {};
  });
}

bool IoWorker::submit(Task task, core::BoundedQueue<Task>& lane) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || in_flight_ >= capacity_) {
      refused_ += 1;
      return false;
    }
    in_flight_ += 1;
    if (mode_ == Mode::Thread) {
      // Cannot fail: a lane holds at most in_flight_ <= capacity_ tasks,
      // and it is closed only under this lock, with stopping_ set. Should it
      // ever, the post is refused like any other.
      if (!lane.try_push(std::move(task))) {
        in_flight_ -= 1;
        refused_ += 1;
        return false;
      }
      return true;
    }
  }
  finish(task(store_));  // Inline: here and now, outside the lock (the job may take long)
  return true;
}

void IoWorker::finish(Completion completion) {
  std::lock_guard lock(mu_);
  if (completion) {
    completions_.push_back(std::move(completion));  // its slot is freed when it has run
  } else {
    in_flight_ -= 1;
  }
}

std::size_t IoWorker::run_completions() {
  std::vector<Completion> ready;
  {
    std::lock_guard lock(mu_);
    ready.swap(completions_);
    in_flight_ -= ready.size();
  }
  for (Completion& done : ready) done();
  return ready.size();
}

void IoWorker::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.close();
    disk_queue_.close();
  }
  if (thread_.joinable()) thread_.join();
  if (disk_thread_.joinable()) disk_thread_.join();
}

std::size_t IoWorker::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}

std::uint64_t IoWorker::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

void IoWorker::run(core::BoundedQueue<Task>& lane) {
  for (;;) {
    auto task = lane.pop_for(std::chrono::milliseconds(100));
    if (task) {
      finish((*task)(store_));
      continue;
    }
    std::lock_guard lock(mu_);
    if (stopping_ && lane.size() == 0) return;  // closed and drained
  }
}

}  // namespace qbot::server
