#pragma once
// Glicko-2 (Glickman, "Example of the Glicko-2 system", 2013) for
// multi-player matches: one match is one rating period in which every
// player met every opponent once. Free-for-all: each pair is a game won by
// the better placement (equal placement = draw). Team modes: each player
// against each player of the other team, the team's placement decides.
// Teammates are not opponents. System constant tau = 0.5.
#include <span>
#include <vector>

#include "server/store/store_types.h"

namespace qbot::server {

/// The ranges every rating the store writes lies in (rate_match clamps to
/// them; RedisStore refuses a stored rating outside them as hostile).
constexpr double kMinDeviation = 30.0;   // a floor keeps long-time players able to move
constexpr double kMaxDeviation = 350.0;  // = a new player's deviation
constexpr double kMinVolatility = 0.01;
constexpr double kMaxVolatility = 0.2;

struct RatedPlayer {
  Rating before;
  std::uint8_t team = 0;       // 0 = free-for-all
  std::uint8_t placement = 0;  // 1 = best
};

/// New ratings, one per input player in the same order; `matches` + 1.
/// Deviation is clamped to [kMinDeviation, kMaxDeviation], volatility to
/// [kMinVolatility, kMaxVolatility].
std::vector<Rating> rate_match(std::span<const RatedPlayer> players);

/// One game of a rating period, from the rated player's side.
struct Opponent {
  Rating rating;
  double score = 0.5;  // 1 = win, 0.5 = draw, 0 = loss
};

/// The Glicko-2 update of one player after one rating period against
/// `opponents` (steps 2-8 of Glickman's paper; volatility by the Illinois
/// algorithm). With no opponents only the deviation grows (step 6).
/// Clamped as rate_match; `matches` + 1. rate_match is built on this; it is
/// public so the paper's worked example can be checked exactly.
Rating glicko2_update(const Rating& player, std::span<const Opponent> opponents);

}  // namespace qbot::server
