#include <gtest/gtest.h>

#include <set>

#include "core/rng.h"
#include "sim/geometry.h"
#include "sim/spatial_grid.h"

using namespace qbot;
using namespace qbot::sim;

// The broad phase may report extra candidates but must never miss one:
// checked against brute force over random points and queries.
TEST(SpatialGrid, NeverMissesAnItemInRange) {
  core::Rng rng(11);
  SpatialGrid grid;
  std::vector<Vec2> points;
  for (int round = 0; round < 50; ++round) {
    const float w = rng.range(8.0f, 200.0f), h = rng.range(8.0f, 200.0f);
    points.clear();
    grid.reset(w, h);
    const auto n = 1 + rng.below(300);
    for (std::uint32_t i = 0; i < n; ++i) {
      points.push_back({rng.range(0, w), rng.range(0, h)});
      grid.add(i, points.back());
    }
    grid.build();
    for (int q = 0; q < 50; ++q) {
      const Vec2 c{rng.range(-5, w + 5), rng.range(-5, h + 5)};
      const float r = rng.range(0.1f, 20.0f);
      std::set<std::uint32_t> seen;
      grid.for_each_near(c, r, [&](std::uint32_t i) { EXPECT_TRUE(seen.insert(i).second) << "visited twice"; });
      for (std::uint32_t i = 0; i < n; ++i) {
        if (length_sq(points[i] - c) <= r * r) {
          ASSERT_TRUE(seen.count(i)) << "circle query missed item " << i;
        }
      }
      const Vec2 b{rng.range(0, w), rng.range(0, h)};
      seen.clear();
      grid.for_each_near_segment(c, b, r, [&](std::uint32_t i) { EXPECT_TRUE(seen.insert(i).second); });
      for (std::uint32_t i = 0; i < n; ++i) {
        if (dist_sq_point_segment(points[i], c, b) <= r * r) {
          ASSERT_TRUE(seen.count(i)) << "segment query missed " << i;
        }
      }
    }
  }
}

TEST(SpatialGrid, QueriesVisitOnlyNearbyCells) {
  SpatialGrid grid;
  grid.reset(400.0f, 400.0f);
  // One item per 4 m cell over the whole map.
  std::uint32_t n = 0;
  for (float x = 2; x < 400; x += 4) {
    for (float y = 2; y < 400; y += 4) grid.add(n++, {x, y});
  }
  grid.build();
  int visited = 0;
  grid.for_each_near({200, 200}, 2.0f, [&](std::uint32_t) { ++visited; });
  EXPECT_LE(visited, 9) << "a small query must not scan the map (" << n << " items)";
}
