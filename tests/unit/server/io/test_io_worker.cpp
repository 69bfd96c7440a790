// IoWorker: jobs in flight are bounded by construction (refusals counted,
// nothing accepted is dropped), answers come back in order at
// run_completions(), stop() runs what was queued. Inline mode without
// threads; Thread mode with a worker held on a latch (no sleeps).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "server/io/io_worker.h"
#include "server/store/memory_store.h"
#include "wait.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::test;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  std::chrono::milliseconds now{1000};
  MemoryStore store{[this] { return now; }};
};

/// A call() whose answer is `value`, recorded into `answers` when delivered.
bool call_value(IoWorker& w, int value, std::vector<int>& answers) {
  return w.call<int>([value](Store&) { return value; }, [&answers](int& v) { answers.push_back(v); });
}

}  // namespace

TEST(IoWorker, InlineRunsTheJobWhenPostedAndTheAnswerAtRunCompletions) {
  Fixture fx;
  IoWorker w(fx.store, 4, IoWorker::Mode::Inline);
  const auto caller = std::this_thread::get_id();
  bool ran_here = false;
  std::vector<int> answers;
  ASSERT_TRUE(w.call<int>(
      [&](Store& store) {
        ran_here = std::this_thread::get_id() == caller;
        return store.create_bot(7, BotRecord{}, 8).ok() ? 42 : -1;
      },
      [&](int& v) { answers.push_back(v); }));
  EXPECT_TRUE(ran_here) << "the job ran inside call(), in the caller's thread";
  EXPECT_TRUE(answers.empty()) << "the answer waits for run_completions()";
  EXPECT_EQ(w.in_flight(), 1u);
  EXPECT_EQ(w.run_completions(), 1u);
  EXPECT_EQ(answers, std::vector<int>{42});
  EXPECT_EQ(w.in_flight(), 0u);
  EXPECT_EQ(fx.store.list_bots(7)->size(), 1u) << "the job used the worker's store";
  EXPECT_EQ(w.run_completions(), 0u);
}

TEST(IoWorker, InFlightIsBoundedByCapacityAndRefusedPostsAreCounted) {
  Fixture fx;
  IoWorker w(fx.store, 3, IoWorker::Mode::Inline);
  std::vector<int> answers;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(call_value(w, i, answers)) << i;
  EXPECT_EQ(w.in_flight(), 3u);
  EXPECT_EQ(w.refused(), 0u);
  // Full: answers not yet collected hold their slots.
  EXPECT_FALSE(call_value(w, 3, answers));
  bool posted_ran = false;
  EXPECT_FALSE(w.post([&](Store&) { posted_ran = true; }));
  EXPECT_FALSE(posted_ran) << "a refused job never runs";
  EXPECT_EQ(w.refused(), 2u);
  EXPECT_EQ(w.in_flight(), 3u);

  EXPECT_EQ(w.run_completions(), 3u);
  EXPECT_EQ(answers, (std::vector<int>{0, 1, 2})) << "the refused call's answer never comes";
  EXPECT_EQ(w.in_flight(), 0u);
  EXPECT_TRUE(call_value(w, 4, answers)) << "slots are free again";
  EXPECT_EQ(w.refused(), 2u);
}

TEST(IoWorker, APostHoldsItsSlotOnlyUntilItsJobHasRun) {
  Fixture fx;
  IoWorker w(fx.store, 1, IoWorker::Mode::Inline);
  int ran = 0;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(w.post([&](Store&) { ++ran; })) << i;
  EXPECT_EQ(ran, 10);
  EXPECT_EQ(w.in_flight(), 0u);
  EXPECT_EQ(w.refused(), 0u);
}

TEST(IoWorker, ADoneMayCallAgainAndItsAnswerComesAtTheNextRunCompletions) {
  Fixture fx;
  IoWorker w(fx.store, 1, IoWorker::Mode::Inline);
  std::vector<int> answers;
  bool chained = false;
  ASSERT_TRUE(w.call<int>([](Store&) { return 1; },
                          [&](int& v) {
                            answers.push_back(v);
                            chained = call_value(w, 2, answers);  // its own slot is free by now
                          }));
  EXPECT_EQ(w.run_completions(), 1u);
  EXPECT_TRUE(chained);
  EXPECT_EQ(answers, std::vector<int>{1});
  EXPECT_EQ(w.run_completions(), 1u);
  EXPECT_EQ(answers, (std::vector<int>{1, 2}));
}

TEST(IoWorker, ThreadModeDeliversAnswersInTheOrderTheJobsWerePosted) {
  Fixture fx;
  IoWorker w(fx.store, 64);
  std::vector<int> answers;
  const auto tick_thread = std::this_thread::get_id();
  std::vector<bool> job_on_worker;
  bool done_on_tick_thread = true;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(w.call<bool>([tick_thread](Store&) { return std::this_thread::get_id() != tick_thread; },
                             [&, i](bool& elsewhere) {
                               job_on_worker.push_back(elsewhere);
                               done_on_tick_thread &= std::this_thread::get_id() == tick_thread;
                               answers.push_back(i);
                             }));
  }
  std::size_t delivered = 0;
  ASSERT_TRUE(eventually([&] {
    delivered += w.run_completions();
    return delivered == 50;
  }));
  std::vector<int> expected(50);
  for (int i = 0; i < 50; ++i) expected[static_cast<std::size_t>(i)] = i;
  EXPECT_EQ(answers, expected);
  EXPECT_EQ(job_on_worker, std::vector<bool>(50, true)) << "jobs run on the worker's thread";
  EXPECT_TRUE(done_on_tick_thread) << "answers run where run_completions() is called";
  EXPECT_EQ(w.in_flight(), 0u);
}

TEST(IoWorker, ThreadModeRefusesWhatDoesNotFitWhileTheWorkerIsBusy) {
  Fixture fx;
  IoWorker w(fx.store, 3);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(w.post([released](Store&) { released.wait(); }));  // holds the worker
  std::vector<int> answers;
  ASSERT_TRUE(call_value(w, 1, answers));
  ASSERT_TRUE(call_value(w, 2, answers));
  EXPECT_FALSE(call_value(w, 3, answers));
  EXPECT_FALSE(w.post([](Store&) {}));
  EXPECT_EQ(w.refused(), 2u);
  EXPECT_LE(w.in_flight(), w.capacity());
  release.set_value();
  std::size_t delivered = 0;
  ASSERT_TRUE(eventually([&] {
    delivered += w.run_completions();
    return delivered == 2 && w.in_flight() == 0;
  }));
  EXPECT_EQ(answers, (std::vector<int>{1, 2}));
}

TEST(IoWorker, StopRunsTheQueuedJobsKeepsTheirAnswersAndRefusesNewOnes) {
  Fixture fx;
  IoWorker w(fx.store, 1000);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  ASSERT_TRUE(w.post([released](Store&) { released.wait(); }));  // the worker is busy until released
  std::vector<int> answers;
  ASSERT_TRUE(call_value(w, 7, answers));
  int accepted = 0;
  for (int i = 0; i < 5; ++i) accepted += w.post([&](Store&) { ++ran; }) ? 1 : 0;
  ASSERT_EQ(accepted, 5);
  EXPECT_GE(w.queued(), 6u) << "the call and the five posts wait behind the busy worker";

  // stop() while those are still queued: it closes the queue at once and
  // then waits for the worker to drain it.
  std::thread stopper([&] { w.stop(); });
  ASSERT_TRUE(eventually([&] {
    if (!w.post([&](Store&) { ++ran; })) return true;  // refused: stop() has closed the queue
    ++accepted;                                        // got in before stop(): must run too
    return false;
  }));
  release.set_value();
  stopper.join();
  EXPECT_EQ(ran.load(), accepted) << "every job accepted before stop() ran";
  EXPECT_EQ(w.queued(), 0u);
  EXPECT_EQ(w.run_completions(), 1u) << "the answer of a queued call() survives stop()";
  EXPECT_EQ(answers, std::vector<int>{7});
  EXPECT_FALSE(w.post([](Store&) {}));
  EXPECT_GE(w.refused(), 2u);
  w.stop();  // idempotent
}

TEST(IoWorker, InlineStopRefusesNewJobs) {
  Fixture fx;
  IoWorker w(fx.store, 4, IoWorker::Mode::Inline);
  w.stop();
  bool ran = false;
  EXPECT_FALSE(w.post([&](Store&) { ran = true; }));
  EXPECT_FALSE(ran);
  EXPECT_EQ(w.refused(), 1u);
}
