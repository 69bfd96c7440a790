#pragma once
// An arena map: a rectangle [0,width] x [0,height] bounded by walls, with
// interior wall boxes and spawn points. World units are metres. Maps are data
// (shared/data/maps/*.json, loaded by shared/content); the sim never does I/O.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/vec2.h"

namespace qbot::sim {

struct Box {
  Vec2 min;
  Vec2 max;
};

struct Spawn {
  Vec2 pos;
  std::uint8_t team = 0;  // 0 = any team; 1.. = preferred by that team in team modes
};

struct Map {
  std::string name;
  float width = 0.0f;
  float height = 0.0f;
  std::vector<Box> walls;      // interior obstacles (the outer bounds are implicit)
  std::vector<Spawn> spawns;   // at least one
  std::uint64_t identity = 0;  // hash of the map's canonical bytes (replays)
};

}  // namespace qbot::sim
