#pragma once
// Polls a condition until it holds or a deadline passes: how tests wait for
// something another process or thread does (never a bare sleep).
#include <chrono>
#include <thread>

namespace qbot::test {

template <class Pred>
bool eventually(Pred&& pred, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace qbot::test
