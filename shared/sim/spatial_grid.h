#pragma once
// Uniform grid broad phase over the live bots of one world (counting sort:
// O(bots + cells) to rebuild, no allocation once warmed up). Keeps collision,
// projectile and hitscan queries from degrading to O(n^2) in crowded arenas.
#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/geometry.h"
#include "sim/vec2.h"

namespace qbot::sim {

class SpatialGrid {
 public:
  /// Cell edge in metres: at least twice the largest bot radius keeps
  /// neighbour queries to a 3x3 block.
  static constexpr float kCellSize = 4.0f;

  /// Starts a rebuild for a width x height metre map: add() every item, then build().
  void reset(float width, float height);
  void add(std::uint32_t index, Vec2 pos);
  /// Sorts the added items into cells; queries see them from now on.
  void build();

  /// Calls f(index) for every item whose cell overlaps the circle's bounding box.
  template <class F>
  void for_each_near(Vec2 c, float radius, F&& f) const {
    if (cols_ == 0) return;
    const int x0 = col(c.x - radius), x1 = col(c.x + radius);
    const int y0 = row(c.y - radius), y1 = row(c.y + radius);
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) visit_cell(y * cols_ + x, f);
    }
  }

  /// Calls f(index) for every item whose cell lies within `margin` of the segment [a,b].
  template <class F>
  void for_each_near_segment(Vec2 a, Vec2 b, float margin, F&& f) const {
    if (cols_ == 0) return;
    const int x0 = col(std::min(a.x, b.x) - margin), x1 = col(std::max(a.x, b.x) + margin);
    const int y0 = row(std::min(a.y, b.y) - margin), y1 = row(std::max(a.y, b.y) + margin);
    const float reach = margin + kCellSize * 0.7072f;  // + half the cell diagonal
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) {
        const Vec2 centre{(static_cast<float>(x) + 0.5f) * kCellSize, (static_cast<float>(y) + 0.5f) * kCellSize};
        if (dist_sq_point_segment(centre, a, b) > reach * reach) continue;
        visit_cell(y * cols_ + x, f);
      }
    }
  }

 private:
  int col(float x) const { return clamp_cell(x, cols_); }
  int row(float y) const { return clamp_cell(y, rows_); }
  static int clamp_cell(float v, int n) {
    const float c = std::floor(v / kCellSize);
    if (!(c >= 0.0f)) return 0;  // also catches NaN
    return c >= static_cast<float>(n - 1) ? n - 1 : static_cast<int>(c);
  }
  template <class F>
  void visit_cell(int cell, F& f) const {
    const auto u = static_cast<std::size_t>(cell);
    for (std::uint32_t i = cell_start_[u]; i < cell_start_[u + 1]; ++i) f(items_[i]);
  }

  int cols_ = 0;
  int rows_ = 0;
  std::vector<std::uint32_t> cell_start_;  // size cells + 1
  std::vector<std::uint32_t> items_;       // item indices grouped by cell
  struct Pending {
    std::uint32_t index;
    std::uint32_t cell;
  };
  std::vector<Pending> pending_;     // added since reset()
  std::vector<std::uint32_t> fill_;  // scratch: next free slot per cell
};

}  // namespace qbot::sim
