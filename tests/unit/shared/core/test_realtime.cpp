#include <gtest/gtest.h>

#include <pthread.h>
#include <sched.h>

#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "core/realtime.h"

using qbot::core::make_realtime;

TEST(Realtime, RefusesAPriorityOutsideTheSchedFifoRange) {
  std::thread t([] {});
  const auto r = make_realtime(t.native_handle(), 0);
  t.join();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("outside"), std::string::npos) << r.error();
}

TEST(Realtime, PutsAThreadUnderSchedFifoOrSaysWhyNot) {
  // The thread stays alive, blocked (a real-time spinner could starve this
  // one), until checked: a finished thread has no scheduling to change.
  std::promise<void> release;
  std::thread t([done = release.get_future()]() mutable { done.wait(); });
  const auto handle = t.native_handle();
  const auto r = make_realtime(handle, 5);
  int policy = -1;
  sched_param param{};
  const int got = pthread_getschedparam(handle, &policy, &param);
  release.set_value();
  t.join();
  ASSERT_EQ(got, 0);
  if (r) {
    EXPECT_EQ(policy, SCHED_FIFO);
    EXPECT_EQ(param.sched_priority, 5);
  } else {
    // Without CAP_SYS_NICE the OS refuses; the reason must say so and the
    // thread keeps its ordinary policy.
    EXPECT_NE(r.error().find("SCHED_FIFO"), std::string::npos) << r.error();
    EXPECT_EQ(policy, SCHED_OTHER);
  }
}

namespace {
std::size_t locked_kib() {  // VmLck of this process
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmLck:", 0) == 0) return std::stoul(line.substr(6));
  }
  return 0;
}
}  // namespace

TEST(Realtime, LockMemoryLocksTheProcessOrSaysWhyNot) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer turns mlockall into a no-op that reports success";
#endif
  // In a child: locking is process-wide and would stay for every later test.
  EXPECT_EXIT(
      {
        const auto r = qbot::core::lock_memory(std::size_t{1} << 20);
        if (r) std::exit(locked_kib() > 0 ? 0 : 1);
        // Refused (no CAP_IPC_LOCK): the reason names the call.
        std::exit(r.error().find("mlockall") != std::string::npos ? 0 : 2);
      },
      ::testing::ExitedWithCode(0), "");
}
