#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "core/worker_pool.h"

using qbot::core::WorkerPool;

TEST(WorkerPool, RunsEveryIndexExactlyOnceOnAValidLaneBatchAfterBatch) {
  WorkerPool pool(3);
  EXPECT_EQ(pool.lanes(), 3u);
  for (std::size_t batch = 0; batch < 200; ++batch) {
    const std::size_t count = batch % 17;
    std::vector<std::atomic<int>> runs(count);
    std::atomic<bool> bad_lane{false};
    pool.run(count, [&](std::size_t i, std::size_t lane) {
      runs[i].fetch_add(1);
      if (lane >= 3) bad_lane = true;
    });
    for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(runs[i].load(), 1) << "batch " << batch << " index " << i;
    ASSERT_FALSE(bad_lane.load());
  }
}

TEST(WorkerPool, SpreadsWorkOverItsLanes) {
  WorkerPool pool(2);
  std::mutex mu;
  std::set<std::size_t> lanes;
  // Each task waits until a second lane has shown up (bounded), so one lane
  // cannot take every index before the other wakes.
  std::atomic<int> started{0};
  pool.run(2, [&](std::size_t, std::size_t lane) {
    started.fetch_add(1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (started.load() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    std::lock_guard lock(mu);
    lanes.insert(lane);
  });
  EXPECT_EQ(lanes.size(), 2u);
}

TEST(WorkerPool, OneLaneIsAPlainLoopOnTheCaller) {
  WorkerPool pool(1);
  const auto caller = std::this_thread::get_id();
  std::vector<std::size_t> order;
  pool.run(5, [&](std::size_t i, std::size_t lane) {
    EXPECT_EQ(lane, 0u);
    EXPECT_EQ(std::this_thread::get_id(), caller);
    order.push_back(i);
  });
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
}

TEST(WorkerPool, ManySmallBatchesNeverRunATaskTwiceOrOfAnEarlierBatch) {
  // Tiny batches back to back: the caller often finishes a batch before a
  // worker wakes, and that late worker must then not run anything of the
  // batch it was woken for (its task is gone) — only of the current one.
  WorkerPool pool(3);
  for (std::uint32_t batch = 0; batch < 20000; ++batch) {
    const std::size_t count = 2 + batch % 3;
    std::vector<std::atomic<std::uint32_t>> seen(count);
    pool.run(count, [&, batch](std::size_t i, std::size_t) { seen[i].fetch_add(batch + 1); });
    for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(seen[i].load(), batch + 1) << "batch " << batch << " index " << i;
  }
}

TEST(WorkerPool, ExposesOneNativeHandlePerThreadBesidesTheCaller) {
  EXPECT_EQ(WorkerPool(1).native_handles().size(), 0u);
  EXPECT_EQ(WorkerPool(3).native_handles().size(), 2u);
}
