#include "server/io/io_worker.h"

namespace qbot::server {

IoWorker::IoWorker(Store& store, std::size_t capacity) : store_(store), queue_(capacity) {
  thread_ = std::thread([this] { run(); });
}

IoWorker::~IoWorker() { stop(); }

bool IoWorker::post(Job job) { return queue_.try_push(std::move(job)); }

std::size_t IoWorker::run_completions() {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(completions_mu_);
    ready.swap(completions_);
  }
  for (auto& done : ready) done();
  return ready.size();
}

void IoWorker::stop() {
  if (stopping_.exchange(true)) {
    if (thread_.joinable()) thread_.join();
    return;
  }
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

void IoWorker::run() {
  for (;;) {
    auto job = queue_.pop_for(std::chrono::milliseconds(100));
    if (job) {
      (*job)(store_);
      continue;
    }
    if (stopping_.load()) return;  // closed and drained
  }
}

}  // namespace qbot::server
