#pragma once
#include <cmath>

namespace qbot::sim {

struct Vec2 {
  float x = 0.0f;
  float y = 0.0f;

  friend constexpr Vec2 operator+(Vec2 a, Vec2 b) { return {a.x + b.x, a.y + b.y}; }
  friend constexpr Vec2 operator-(Vec2 a, Vec2 b) { return {a.x - b.x, a.y - b.y}; }
  friend constexpr Vec2 operator*(Vec2 a, float s) { return {a.x * s, a.y * s}; }
  friend constexpr bool operator==(Vec2 a, Vec2 b) = default;
  Vec2& operator+=(Vec2 b) {
    x += b.x;
    y += b.y;
    return *this;
  }
  Vec2& operator-=(Vec2 b) {
    x -= b.x;
    y -= b.y;
    return *this;
  }
};

inline float dot(Vec2 a, Vec2 b) { return a.x * b.x + a.y * b.y; }
inline float length_sq(Vec2 a) { return dot(a, a); }
inline float length(Vec2 a) { return std::sqrt(length_sq(a)); }
inline Vec2 from_angle(float radians) { return {std::cos(radians), std::sin(radians)}; }

/// Scales `v` down so its length is at most `max_len`.
inline Vec2 clamp_length(Vec2 v, float max_len) {
  const float l2 = length_sq(v);
  if (l2 <= max_len * max_len || l2 == 0.0f) return v;
  return v * (max_len / std::sqrt(l2));
}

}  // namespace qbot::sim
