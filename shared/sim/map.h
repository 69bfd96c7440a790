#pragma once
// An arena map: a rectangle [0,width] x [0,height] bounded by walls, with
// interior wall boxes and spawn points. World units are metres.
#include <string>
#include <vector>

#include "sim/vec2.h"

namespace qbot::sim {

struct Box {
  Vec2 min;
  Vec2 max;
};

struct Map {
  std::string name;
  float width = 0.0f;
  float height = 0.0f;
  std::vector<Box> walls;    // interior obstacles (the outer bounds are implicit)
  std::vector<Vec2> spawns;  // at least one
};

/// The built-in map used until maps are loaded from data.
const Map& default_map();

}  // namespace qbot::sim
