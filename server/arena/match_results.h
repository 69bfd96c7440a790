#pragma once
// Placement and results of a finished battle, from the final world.
#include <vector>

#include "proto/messages.h"
#include "sim/world.h"

namespace qbot::server {

struct ResultPlayer {
  std::uint32_t player_id = 0;
  sim::EntityId entity = 0;
  std::string name;
};

struct MatchResults {
  std::vector<proto::PlayerResult> rows;  // by placement, then score
  std::uint8_t winner_team = 0;           // team modes; 0 = draw or free-for-all
};

/// Free-for-all: placement by score, then fewer deaths, then more damage,
/// then lower entity id (deterministic, distinct places). Team modes: the
/// team with more kills places 1st (a draw places both 1st); rows are
/// grouped by team placement, then individual score.
MatchResults compute_results(const sim::World& world, const std::vector<ResultPlayer>& players, proto::GameMode mode);

/// Team kill totals: index = team (0..2).
std::array<std::int32_t, 3> team_scores(const sim::World& world);

}  // namespace qbot::server
