#pragma once
// Glicko-2 (Glickman, "Example of the Glicko-2 system", 2013) for
// multi-player matches: one match is one rating period in which every
// player met every opponent once. Free-for-all: each pair is a game won by
// the better placement (equal placement = draw). Team modes: each player
// against each player of the other team, the team's placement decides.
// Teammates are not opponents. System constant tau = 0.5.
#include <span>
#include <vector>

#include "server/matchmaking/store_types.h"

namespace qbot::server {

struct RatedPlayer {
  Rating before;
  std::uint8_t team = 0;       // 0 = free-for-all
  std::uint8_t placement = 0;  // 1 = best
};

/// New ratings, one per input player in the same order; `matches` + 1.
/// Deviation is clamped to [30, 350], volatility to [0.01, 0.2].
std::vector<Rating> rate_match(std::span<const RatedPlayer> players);

}  // namespace qbot::server
