#include "sim/projectiles.h"

#include <algorithm>
#include <cmath>

#include "sim/combat.h"
#include "sim/geometry.h"
#include "sim/movement.h"

namespace qbot::sim {
namespace {

/// Missiles lock on to enemies within this half-angle of their heading.
constexpr float kSeekerHalfAngle = 1.0472f;  // 60 degrees
/// A missile without a target looks for one every this many ticks
/// (staggered by id): the search is the costliest query of the step.
constexpr std::uint32_t kSeekerPeriodTicks = 4;

const Bot* find_live_index(const World& w, EntityId id) {
  const Bot* b = find_bot(w, id);
  return (b != nullptr && b->alive) ? b : nullptr;
}

void steer_missile(World& w, Projectile& p, const WeaponSpec& weapon, float dt) {
  const float speed = length(p.vel);
  if (speed < 1e-6f) return;
  const Vec2 heading = p.vel * (1.0f / speed);
  if (find_live_index(w, p.target) == nullptr && (w.tick + p.id) % kSeekerPeriodTicks == 0) {
    // Acquire the nearest enemy inside the seeker cone.
    p.target = 0;
    float best_d2 = weapon.range * weapon.range;
    const float cos_limit = std::cos(kSeekerHalfAngle);
    w.grid.for_each_near(p.pos, weapon.range, [&](std::uint32_t index) {
      const Bot& b = w.bots[index];
      if (!b.alive || !are_enemies(w.rules, p.team, p.owner, b.team, b.id)) return;
      const Vec2 to = b.pos - p.pos;
      const float d2 = length_sq(to);
      if (d2 >= best_d2 || d2 < 1e-6f) return;
      if (dot(to, heading) < cos_limit * std::sqrt(d2)) return;
      best_d2 = d2;
      p.target = b.id;
    });
  }
  const Bot* target = find_live_index(w, p.target);
  if (target == nullptr) return;
  const Vec2 to = target->pos - p.pos;
  const float current = std::atan2(heading.y, heading.x);
  const float wanted = std::atan2(to.y, to.x);
  const float turn = std::clamp(angle_delta(current, wanted), -weapon.turn_rate * dt, weapon.turn_rate * dt);
  p.vel = from_angle(current + turn) * speed;
}

}  // namespace

void advance_projectiles(World& w, std::vector<Event>& events) {
  const float dt = 1.0f / static_cast<float>(w.rules.tick_rate);
  const float margin = max_bot_radius(*w.catalog) + w.rules.projectile_radius;
  std::erase_if(w.projectiles, [&](Projectile& p) {
    if (w.tick >= p.expires) return true;
    const WeaponSpec& weapon = w.catalog->weapons[p.weapon];
    if (p.kind == ProjectileKind::Missile) steer_missile(w, p, weapon, dt);
    const Vec2 from = p.pos;
    const Vec2 to = p.pos + p.vel * dt;
    const std::optional<float> wall_t = first_wall_hit(*w.map, w.walls, from, to);

    int hit = -1;
    float hit_t = wall_t.value_or(2.0f);
    w.grid.for_each_near_segment(from, to, margin, [&](std::uint32_t index) {
      const Bot& b = w.bots[index];
      if (!b.alive || b.id == p.owner) return;
      // Friendly fire is off in team modes: shots pass through teammates.
      if (!are_enemies(w.rules, p.team, p.owner, b.team, b.id)) return;
      const auto t = segment_circle(from, to, b.pos, w.chassis(b).radius + w.rules.projectile_radius);
      if (t && (*t < hit_t || (*t == hit_t && static_cast<int>(index) < hit))) {
        hit_t = *t;
        hit = static_cast<int>(index);
      }
    });
    if (hit >= 0) {
      apply_damage(w, p.owner, w.bots[static_cast<std::size_t>(hit)], weapon.damage, p.weapon, events);
      return true;
    }
    if (wall_t) return true;
    p.pos = to;
    return false;
  });
}

}  // namespace qbot::sim
