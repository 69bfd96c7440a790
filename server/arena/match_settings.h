#pragma once
// What an arena needs to run matches: the content it plays with (catalog and
// maps, with their binary forms for replays) and the match rules.
#include <cstdint>
#include <span>
#include <vector>

#include "proto/messages.h"
#include "sim/catalog.h"
#include "sim/map.h"
#include "sim/world.h"

namespace qbot::server {

struct ArenaMap {
  const sim::Map* map = nullptr;
  std::span<const std::uint8_t> binary;  // canonical form, embedded in replays
};

struct ArenaContent {
  const sim::Catalog* catalog = nullptr;
  std::span<const std::uint8_t> catalog_binary;
  std::vector<ArenaMap> maps;  // rotation order; at least one
};

struct MatchSettings {
  proto::GameMode mode = proto::GameMode::FreeForAll;
  std::uint32_t match_duration_s = 300;
  std::uint32_t score_limit = 20;  // 0 = none
  std::uint32_t min_players = 2;
  std::uint32_t countdown_s = 5;
  std::uint32_t results_s = 8;
  bool record = false;             // keep a replay Recording of every battle
  std::uint64_t matchmade_id = 0;  // nonzero: a matchmade arena plays exactly one battle
                                   // with this match id, then is finished()
  sim::Rules rules;                // tick rate, lag compensation, respawn; the
                                   // arena sets team_mode and combat_enabled
};

}  // namespace qbot::server
