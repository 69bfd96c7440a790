#include "sim/spatial_grid.h"

#include <algorithm>

namespace qbot::sim {

void SpatialGrid::reset(float width, float height) {
  cols_ = std::max(1, static_cast<int>(std::ceil(width / kCellSize)));
  rows_ = std::max(1, static_cast<int>(std::ceil(height / kCellSize)));
  pending_.clear();
}

void SpatialGrid::add(std::uint32_t index, Vec2 pos) {
  pending_.push_back({index, static_cast<std::uint32_t>(row(pos.y) * cols_ + col(pos.x))});
}

void SpatialGrid::build() {
  const auto cells = static_cast<std::size_t>(cols_) * static_cast<std::size_t>(rows_);
  cell_start_.assign(cells + 1, 0);
  for (const Pending& p : pending_) cell_start_[p.cell + 1] += 1;
  for (std::size_t c = 0; c < cells; ++c) cell_start_[c + 1] += cell_start_[c];
  items_.resize(pending_.size());
  // Stable fill in add() order, so query order is deterministic.
  fill_.assign(cell_start_.begin(), cell_start_.end() - 1);
  for (const Pending& p : pending_) items_[fill_[p.cell]++] = p.index;
}

}  // namespace qbot::sim
