#pragma once
// Small 2-D intersection tests used by movement, projectiles and hitscan.
// Every function is pure and total (degenerate input gives "no hit").
#include <algorithm>
#include <optional>

#include "sim/map.h"
#include "sim/vec2.h"

namespace qbot::sim {

inline bool point_in_box(Vec2 p, const Box& b) {
  return p.x >= b.min.x && p.x <= b.max.x && p.y >= b.min.y && p.y <= b.max.y;
}

/// First t in [0,1] where the segment a + t(b-a) enters the box (0 if a is inside).
std::optional<float> segment_box(Vec2 a, Vec2 b, const Box& box);

/// First t in [0,1] where the segment a + t(b-a) is within `r` of `c` (0 if a is).
std::optional<float> segment_circle(Vec2 a, Vec2 b, Vec2 c, float r);

/// Squared distance from p to the segment [a,b].
float dist_sq_point_segment(Vec2 p, Vec2 a, Vec2 b);

/// Pushes a circle out of a box; true on contact.
bool push_out_of_box(Vec2& pos, float radius, const Box& box);

}  // namespace qbot::sim
