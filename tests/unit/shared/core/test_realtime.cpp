#include <gtest/gtest.h>

#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

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
  if (!r) {
    // Without CAP_SYS_NICE the OS refuses; the reason must say so and the
    // thread keeps its ordinary policy. What a grant does cannot be checked.
    EXPECT_NE(r.error().find("SCHED_FIFO"), std::string::npos) << r.error();
    EXPECT_EQ(policy, SCHED_OTHER);
    GTEST_SKIP() << "the OS refused SCHED_FIFO: " << r.error();
  }
  EXPECT_EQ(policy, SCHED_FIFO);
  EXPECT_EQ(param.sched_priority, 5);
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
  // The child reports over a pipe: "locked <VmLck kB>" or the refusal.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    const auto r = qbot::core::lock_memory(std::size_t{1} << 20);
    const std::string report = r ? "locked " + std::to_string(locked_kib()) : r.error();
    const ssize_t written = ::write(fds[1], report.data(), report.size());
    ::_exit(written == static_cast<ssize_t>(report.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string report;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child failed: " << report;
  if (report.rfind("locked ", 0) != 0) {
    // Refused (no CAP_IPC_LOCK, small RLIMIT_MEMLOCK): the reason names the call.
    EXPECT_NE(report.find("mlockall"), std::string::npos) << report;
    GTEST_SKIP() << "the OS refused to lock memory: " << report;
  }
  EXPECT_GT(std::stoul(report.substr(7)), 0u) << "lock_memory said yes but nothing is locked";
}
