#pragma once
// Re-simulates a Recording from its seed, roster and commands, checking the
// world hash at every checkpoint: the proof that a match is deterministic
// (and that a replay file is the match the server played).
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "core/result.h"
#include "replay/recording.h"

namespace qbot::replay {

struct VerifyReport {
  std::uint32_t ticks = 0;  // steps simulated
  std::uint32_t checkpoints_checked = 0;
  bool ok = false;                  // every checkpoint matched
  core::Tick first_mismatch = 0;    // tick of the first differing checkpoint (0 = none)
  std::uint64_t expected_hash = 0;  // at first_mismatch
  std::uint64_t actual_hash = 0;
  std::uint64_t final_hash = 0;  // world hash after end_tick
  bool results_match = false;    // final kills/deaths/damage equal the recorded results
};

/// Sees the world after every re-simulated step, with that step's events
/// (a replay viewer draws from it).
using StepObserver = std::function<void(const sim::World&, std::span<const sim::Event>)>;

/// Errors: the embedded catalog or map does not load, or the roster is
/// impossible (join of an id in use, leave of an unknown bot, bad loadout).
core::Result<VerifyReport, std::string> verify_recording(const Recording& rec, const StepObserver& observe = {});

}  // namespace qbot::replay
