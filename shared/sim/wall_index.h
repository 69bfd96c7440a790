#pragma once
// Static broad phase for a map's walls: each 4 m cell lists the walls that
// overlap it, so collision and ray tests look at the few walls nearby
// instead of every wall of a big map. Built once per world.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/map.h"
#include "sim/vec2.h"

namespace qbot::sim {

class WallIndex {
 public:
  static constexpr float kCellSize = 4.0f;

  void build(const Map& map);

  /// Calls f(wall index) for walls overlapping cells of the box [lo, hi].
  /// A wall may be reported more than once (once per shared cell); callers
  /// are idempotent (push-out, minimum hit time).
  template <class F>
  void for_each_in_box(Vec2 lo, Vec2 hi, F&& f) const {
    if (cols_ == 0) return;
    const int x0 = clamp_cell(lo.x, cols_), x1 = clamp_cell(hi.x, cols_);
    const int y0 = clamp_cell(lo.y, rows_), y1 = clamp_cell(hi.y, rows_);
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) {
        const auto c = static_cast<std::size_t>(y) * static_cast<std::size_t>(cols_) + static_cast<std::size_t>(x);
        for (std::uint32_t i = start_[c]; i < start_[c + 1]; ++i) f(walls_[i]);
      }
    }
  }

 private:
  static int clamp_cell(float v, int n) {
    const float c = std::floor(v / kCellSize);
    if (!(c >= 0.0f)) return 0;
    return c >= static_cast<float>(n - 1) ? n - 1 : static_cast<int>(c);
  }

  int cols_ = 0;
  int rows_ = 0;
  std::vector<std::uint32_t> start_;  // per cell + 1
  std::vector<std::uint16_t> walls_;  // wall indices grouped by cell
};

/// First t in [0,1] where the segment a + t(b-a) enters a wall or leaves
/// the map; nullopt if neither.
std::optional<float> first_wall_hit(const Map& map, const WallIndex& index, Vec2 a, Vec2 b);

/// Pushes a circle out of every wall it overlaps and back inside the map.
void push_out_of_walls(const Map& map, const WallIndex& index, Vec2& pos, float radius);

}  // namespace qbot::sim
