#include "sim/geometry.h"

#include <cmath>

namespace qbot::sim {

std::optional<float> segment_box(Vec2 a, Vec2 b, const Box& box) {
  // Slab test (Kay/Kajiya) clipped to the segment's [0,1].
  float t0 = 0.0f, t1 = 1.0f;
  const float d[2] = {b.x - a.x, b.y - a.y};
  const float o[2] = {a.x, a.y};
  const float lo[2] = {box.min.x, box.min.y};
  const float hi[2] = {box.max.x, box.max.y};
  for (int axis = 0; axis < 2; ++axis) {
    if (std::fabs(d[axis]) < 1e-9f) {
      if (o[axis] < lo[axis] || o[axis] > hi[axis]) return std::nullopt;
      continue;
    }
    float ta = (lo[axis] - o[axis]) / d[axis];
    float tb = (hi[axis] - o[axis]) / d[axis];
    if (ta > tb) std::swap(ta, tb);
    t0 = std::max(t0, ta);
    t1 = std::min(t1, tb);
    if (t0 > t1) return std::nullopt;
  }
  return t0;
}

std::optional<float> segment_circle(Vec2 a, Vec2 b, Vec2 c, float r) {
  const Vec2 d = b - a;
  const Vec2 f = a - c;
  const float cc = dot(f, f) - r * r;
  if (cc <= 0.0f) return 0.0f;
  const float aa = dot(d, d);
  if (aa < 1e-12f) return std::nullopt;
  const float bb = 2.0f * dot(f, d);
  const float disc = bb * bb - 4.0f * aa * cc;
  if (disc < 0.0f) return std::nullopt;
  const float t = (-bb - std::sqrt(disc)) / (2.0f * aa);
  if (t < 0.0f || t > 1.0f) return std::nullopt;
  return t;
}

float dist_sq_point_segment(Vec2 p, Vec2 a, Vec2 b) {
  const Vec2 ab = b - a;
  const float len2 = length_sq(ab);
  const float t = len2 < 1e-12f ? 0.0f : std::clamp(dot(p - a, ab) / len2, 0.0f, 1.0f);
  return length_sq(p - (a + ab * t));
}

bool push_out_of_box(Vec2& pos, float radius, const Box& box) {
  const Vec2 closest{std::clamp(pos.x, box.min.x, box.max.x), std::clamp(pos.y, box.min.y, box.max.y)};
  const Vec2 d = pos - closest;
  const float d2 = length_sq(d);
  if (d2 >= radius * radius) return false;
  if (d2 > 1e-12f) {
    const float dist = std::sqrt(d2);
    pos += d * ((radius - dist) / dist);
    return true;
  }
  // Centre inside the box: leave through the nearest face.
  const float left = pos.x - box.min.x, right = box.max.x - pos.x;
  const float down = pos.y - box.min.y, up = box.max.y - pos.y;
  const float m = std::min({left, right, down, up});
  if (m == left) pos.x = box.min.x - radius;
  else if (m == right) pos.x = box.max.x + radius;
  else if (m == down) pos.y = box.min.y - radius;
  else pos.y = box.max.y + radius;
  return true;
}

}  // namespace qbot::sim
