#pragma once
// `qbot-replay html`: one self-contained HTML file that plays a recorded
// battle. The frames are re-simulated from the recording (the same run
// `qbot-replay verify` checks) and written by the live view's FrameTrack;
// the page's CSS and JS (view.js draws both) are inlined, so the file opens
// from file:// with no network.
#include <string>

#include "core/result.h"
#include "replay/recording.h"

namespace qbot::server::spectator {

/// Frames per second of recorded time in the page.
constexpr std::uint32_t kReplayFrameRate = 20;

/// The page. Errors: the recording does not re-simulate (its catalog or map
/// does not load, or its roster is impossible), as verify would report.
core::Result<std::string, std::string> replay_page(const replay::Recording& rec);

}  // namespace qbot::server::spectator
