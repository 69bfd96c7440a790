#include "core/realtime.h"

#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace qbot::core {

Result<bool, std::string> make_realtime(std::thread::native_handle_type thread, int priority) {
  const int lo = sched_get_priority_min(SCHED_FIFO);
  const int hi = sched_get_priority_max(SCHED_FIFO);
  if (priority < lo || priority > hi) {
    return Err{"real-time priority " + std::to_string(priority) + " is outside " + std::to_string(lo) + ".." +
               std::to_string(hi)};
  }
  sched_param param{};
  param.sched_priority = priority;
  if (const int rc = pthread_setschedparam(thread, SCHED_FIFO, &param); rc != 0) {
    return Err{std::string("SCHED_FIFO ") + std::to_string(priority) + ": " + std::strerror(rc)};
  }
  return true;
}

Result<bool, std::string> lock_memory(std::size_t heap_step_bytes) {
  const int step = static_cast<int>(std::min<std::size_t>(heap_step_bytes, INT_MAX / 4));
  // Keep freed memory (trimming gives pages back only to fault them in
  // again) and grow in big steps: with MCL_FUTURE each step is populated at
  // once by the kernel instead of one fault per touched page.
  mallopt(M_TRIM_THRESHOLD, step * 4);
  mallopt(M_TOP_PAD, step);
  if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) return Err{std::string("mlockall: ") + std::strerror(errno)};
  return true;
}

}  // namespace qbot::core
