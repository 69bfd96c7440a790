#include "server/snapshot/world_frame.h"

#include <algorithm>

namespace qbot::server {

proto::Frame frame_from_world(const sim::World& w) {
  using namespace proto;
  Frame f;
  f.tick = w.tick;
  f.entities.reserve(w.bots.size() + w.projectiles.size());
  for (const sim::Bot& b : w.bots) {
    EntityState s;
    s.id = b.id;
    s.f[kX] = quantize_pos(b.pos.x);
    s.f[kY] = quantize_pos(b.pos.y);
    s.f[kVelX] = quantize_vel(b.vel.x);
    s.f[kVelY] = quantize_vel(b.vel.y);
    s.f[kAim] = quantize_aim(b.aim);
    s.f[kHp] = std::clamp(b.hp, 0, kFieldSpecs[kHp].max);
    s.f[kShield] = std::clamp(b.shield, 0, kFieldSpecs[kShield].max);
    std::int32_t flags = b.alive ? kAlive : 0;
    if (b.is_protected(w.tick)) flags |= kProtected;
    if (b.is_stunned(w.tick)) flags |= kStunned;
    if (b.module_active(w.tick)) flags |= kModuleActive;
    s.f[kFlags] = flags;
    s.f[kKind] = static_cast<std::int32_t>(EntityKind::Bot);
    s.f[kTeam] = std::min<std::int32_t>(b.team, kFieldSpecs[kTeam].max);
    f.entities.push_back(s);
  }
  for (const sim::Projectile& p : w.projectiles) {
    EntityState s;
    s.id = p.id;
    s.f[kX] = quantize_pos(p.pos.x);
    s.f[kY] = quantize_pos(p.pos.y);
    s.f[kVelX] = quantize_vel(p.vel.x);
    s.f[kVelY] = quantize_vel(p.vel.y);
    s.f[kFlags] = kAlive;
    s.f[kKind] =
        static_cast<std::int32_t>(p.kind == sim::ProjectileKind::Missile ? EntityKind::Missile : EntityKind::Bullet);
    s.f[kOwner] = std::min<std::int32_t>(p.owner, kFieldSpecs[kOwner].max);
    f.entities.push_back(s);
  }
  // Bots (ids <= 255) come first; projectile ids wrap, so sort that tail.
  std::sort(f.entities.begin() + static_cast<std::ptrdiff_t>(w.bots.size()), f.entities.end(),
            [](const EntityState& a, const EntityState& b) { return a.id < b.id; });
  return f;
}

}  // namespace qbot::server
