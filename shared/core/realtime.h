#pragma once
// Real-time running for the latency-critical part of a process (the tick
// thread and arena workers). On a box shared with other work a tick that
// loses its core for one scheduler time slice, or takes a few thousand page
// faults while the heap grows, misses its deadline. The usual recipe
// (audio, trading, cyclictest): SCHED_FIFO for those threads — ordinary
// threads never preempt them, and a tick sleeps most of each period, so the
// rest of the box loses little (Linux's RT throttling, sched_rt_runtime_us,
// 95 % by default, still bounds a runaway) — and memory locked in RAM with
// the heap grown in large pre-faulted steps.
#include <cstddef>
#include <string>
#include <thread>

#include "core/result.h"

namespace qbot::core {

/// Puts `thread` under SCHED_FIFO at `priority` (1..99). Fails with the
/// OS's reason, e.g. without CAP_SYS_NICE or an RLIMIT_RTPRIO allowance.
Result<bool, std::string> make_realtime(std::thread::native_handle_type thread, int priority);

/// Locks the process's memory, present and future, in RAM (no page faults
/// or swap mid-tick) and has malloc grow and keep the heap in steps of
/// `heap_step_bytes`, so growth is one pre-faulted step instead of a fault
/// per page. Fails with the OS's reason (needs CAP_IPC_LOCK or a large
/// enough RLIMIT_MEMLOCK).
Result<bool, std::string> lock_memory(std::size_t heap_step_bytes);

}  // namespace qbot::core
