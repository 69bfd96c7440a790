#include "sim/world_hash.h"

#include "core/hash.h"

namespace qbot::sim {

std::uint64_t world_hash(const World& w) {
  core::Fnv1a h;
  h.add(w.tick);
  h.add(w.rng.state());
  h.add(w.next_projectile_id);
  h.add(static_cast<std::uint32_t>(w.bots.size()));
  for (const Bot& b : w.bots) {
    h.add(b.id);
    h.add(b.team);
    h.add(b.loadout.chassis);
    h.add(b.loadout.primary);
    h.add(b.loadout.secondary);
    h.add(b.loadout.module);
    h.add(b.pos.x);
    h.add(b.pos.y);
    h.add(b.vel.x);
    h.add(b.vel.y);
    h.add(b.aim);
    h.add(b.hp);
    h.add(b.shield);
    h.add(b.alive);
    h.add(b.respawn_at);
    h.add(b.spawned_at);
    h.add(b.protected_until);
    h.add(b.stunned_until);
    h.add(b.next_fire[0]);
    h.add(b.next_fire[1]);
    h.add(b.heat[0]);
    h.add(b.heat[1]);
    h.add(b.module_ready_at);
    h.add(b.module_until);
    h.add(b.dash_dir.x);
    h.add(b.dash_dir.y);
    h.add(b.repair_left);
    h.add(b.kills);
    h.add(b.deaths);
    h.add(b.damage_dealt);
    h.add(b.score);
  }
  h.add(static_cast<std::uint32_t>(w.projectiles.size()));
  for (const Projectile& p : w.projectiles) {
    h.add(p.id);
    h.add(p.owner);
    h.add(p.team);
    h.add(p.weapon);
    h.add(p.kind);
    h.add(p.pos.x);
    h.add(p.pos.y);
    h.add(p.vel.x);
    h.add(p.vel.y);
    h.add(p.target);
    h.add(p.expires);
  }
  return h.value();
}

}  // namespace qbot::sim
