#include "sim/wall_index.h"

#include "sim/geometry.h"

namespace qbot::sim {

void WallIndex::build(const Map& map) {
  cols_ = std::max(1, static_cast<int>(std::ceil(map.width / kCellSize)));
  rows_ = std::max(1, static_cast<int>(std::ceil(map.height / kCellSize)));
  const auto cells = static_cast<std::size_t>(cols_) * static_cast<std::size_t>(rows_);
  std::vector<std::vector<std::uint16_t>> per_cell(cells);
  for (std::size_t w = 0; w < map.walls.size(); ++w) {
    const Box& b = map.walls[w];
    for (int y = clamp_cell(b.min.y, rows_); y <= clamp_cell(b.max.y, rows_); ++y) {
      for (int x = clamp_cell(b.min.x, cols_); x <= clamp_cell(b.max.x, cols_); ++x) {
        per_cell[static_cast<std::size_t>(y) * static_cast<std::size_t>(cols_) + static_cast<std::size_t>(x)].push_back(
            static_cast<std::uint16_t>(w));
      }
    }
  }
  start_.assign(cells + 1, 0);
  walls_.clear();
  for (std::size_t c = 0; c < cells; ++c) {
    walls_.insert(walls_.end(), per_cell[c].begin(), per_cell[c].end());
    start_[c + 1] = static_cast<std::uint32_t>(walls_.size());
  }
}

std::optional<float> first_wall_hit(const Map& map, const WallIndex& index, Vec2 a, Vec2 b) {
  std::optional<float> best;
  // Leaving the map counts as hitting its outer wall.
  const Box bounds{{0.0f, 0.0f}, {map.width, map.height}};
  if (!point_in_box(b, bounds)) {
    // Where the segment exits = where the reversed segment enters.
    const auto t = segment_box(b, a, bounds);
    best = t ? 1.0f - *t : 0.0f;
  }
  const Vec2 lo{std::min(a.x, b.x), std::min(a.y, b.y)};
  const Vec2 hi{std::max(a.x, b.x), std::max(a.y, b.y)};
  index.for_each_in_box(lo, hi, [&](std::uint16_t w) {
    if (auto t = segment_box(a, b, map.walls[w]); t && (!best || *t < *best)) best = t;
  });
  return best;
}

void push_out_of_walls(const Map& map, const WallIndex& index, Vec2& pos, float radius) {
  const Vec2 reach{radius, radius};
  index.for_each_in_box(pos - reach, pos + reach, [&](std::uint16_t w) { push_out_of_box(pos, radius, map.walls[w]); });
  pos.x = std::clamp(pos.x, radius, map.width - radius);
  pos.y = std::clamp(pos.y, radius, map.height - radius);
}

}  // namespace qbot::sim
