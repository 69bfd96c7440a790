#include "sim/combat.h"

#include <algorithm>
#include <cmath>

#include "sim/geometry.h"
#include "sim/movement.h"

namespace qbot::sim {
namespace {

EntityId allocate_projectile_id(World& w) {
  // Ids cycle through [kFirstProjectileId, 65535]; skip any still in flight.
  for (;;) {
    const EntityId id = w.next_projectile_id;
    w.next_projectile_id = id == 0xffff ? kFirstProjectileId : static_cast<EntityId>(id + 1);
    const bool used =
        std::any_of(w.projectiles.begin(), w.projectiles.end(), [&](const Projectile& p) { return p.id == id; });
    if (!used) return id;
  }
}

/// Fastest any bot can move: bounds how far a target may be from where it was.
float max_bot_speed(const Catalog& c) {
  float v = 0.0f;
  for (const ChassisSpec& ch : c.chassis) v = std::max(v, ch.max_speed);
  for (const ModuleSpec& m : c.modules) {
    if (m.kind == ModuleKind::Dash) v = std::max(v, m.magnitude);
  }
  return v;
}

void fire_slot(World& w, Bot& bot, Slot slot, const Command& cmd, std::vector<Event>& events) {
  const WeaponSpec& weapon = w.weapon(bot, slot);
  const PartIndex weapon_index = slot == kPrimary ? bot.loadout.primary : bot.loadout.secondary;
  const auto s = static_cast<std::size_t>(slot);
  if (w.tick < bot.next_fire[s] || bot.heat[s] + weapon.heat_per_shot > 1.0f + 1e-6f) return;
  bot.next_fire[s] = w.tick + ticks_for(w.rules, weapon.fire_interval);
  bot.heat[s] += weapon.heat_per_shot;
  bot.protected_until = 0;  // shooting ends spawn protection

  const float radius = w.chassis(bot).radius;
  const auto spread_dir = [&] { return from_angle(bot.aim + (w.rng.unit() - 0.5f) * weapon.spread); };
  switch (weapon.kind) {
    case WeaponKind::Projectile:
    case WeaponKind::Homing: {
      const Vec2 dir = spread_dir();
      Projectile p;
      p.id = allocate_projectile_id(w);
      p.owner = bot.id;
      p.team = bot.team;
      p.weapon = weapon_index;
      p.kind = weapon.kind == WeaponKind::Homing ? ProjectileKind::Missile : ProjectileKind::Bullet;
      p.pos = bot.pos + dir * (radius + w.rules.projectile_radius);
      p.vel = dir * weapon.projectile_speed;
      p.expires = w.tick + ticks_for(w.rules, weapon.range / weapon.projectile_speed);
      w.projectiles.push_back(p);
      break;
    }
    case WeaponKind::Hitscan:
    case WeaponKind::Shotgun: {
      const unsigned rays = weapon.kind == WeaponKind::Shotgun ? weapon.pellets : 1u;
      for (unsigned i = 0; i < rays; ++i) {
        const int hit = trace_hitscan(w, bot, bot.pos, spread_dir(), weapon.range, cmd.view_tick);
        if (hit >= 0)
          apply_damage(w, bot.id, w.bots[static_cast<std::size_t>(hit)], weapon.damage, weapon_index, events);
      }
      break;
    }
  }
}

}  // namespace

void fire_weapons(World& w, Bot& bot, const Command& cmd, std::vector<Event>& events) {
  if (!w.rules.combat_enabled || !bot.alive || bot.is_stunned(w.tick)) return;
  if (cmd.buttons & kFirePrimary) fire_slot(w, bot, kPrimary, cmd, events);
  if (cmd.buttons & kFireSecondary) fire_slot(w, bot, kSecondary, cmd, events);
}

void apply_damage(World& w, EntityId attacker, Bot& target, std::int32_t raw, PartIndex weapon,
                  std::vector<Event>& events) {
  if (!w.rules.combat_enabled || !target.alive || raw <= 0 || target.is_protected(w.tick)) return;
  Bot* source = attacker != 0 ? find_bot(w, attacker) : nullptr;
  if (source != nullptr && !are_enemies(w.rules, source->team, source->id, target.team, target.id)) return;

  const std::int32_t armor = std::clamp(w.chassis(target).armor, 0, 80);
  std::int32_t damage = std::max(1, raw * (100 - armor) / 100);
  const std::int32_t absorbed = std::min(damage, target.shield);
  target.shield -= absorbed;
  const std::int32_t to_hp = std::min(damage - absorbed, target.hp);
  target.hp -= to_hp;
  damage = absorbed + to_hp;
  if (source != nullptr) source->damage_dealt += damage;
  events.push_back({Event::Kind::Hit, attacker, target.id, damage, weapon});

  if (target.hp > 0) return;
  target.alive = false;
  target.vel = {};
  target.shield = 0;
  target.deaths += 1;
  target.respawn_at = w.tick + ticks_for(w.rules, w.rules.respawn_delay_s);
  if (source != nullptr) {
    source->kills += 1;
    source->score += 1;
  }
  events.push_back({Event::Kind::Kill, attacker, target.id, 0, weapon});
}

core::Tick rewind_tick(const World& w, core::Tick view_tick) {
  if (view_tick == 0 || view_tick >= w.tick) return 0;
  const core::Tick oldest = w.tick > w.rules.max_rewind_ticks ? w.tick - w.rules.max_rewind_ticks : 1;
  return std::max(view_tick, oldest);
}

int trace_hitscan(const World& w, const Bot& shooter, Vec2 from, Vec2 dir, float range, core::Tick view_tick) {
  const Vec2 to = from + dir * range;
  const float wall_t = first_wall_hit(*w.map, w.walls, from, to).value_or(1.0f);
  const Vec2 end = from + (to - from) * wall_t;

  const core::Tick rt = rewind_tick(w, view_tick);
  const std::vector<PastBot>* past = rt != 0 ? w.history.at(rt) : nullptr;
  // Candidates come from the current grid; a rewound target can be at most
  // (speed x rewind time) from where it is now, so widen the query by that.
  float margin = max_bot_radius(*w.catalog);
  if (past != nullptr) {
    margin += max_bot_speed(*w.catalog) * static_cast<float>(w.tick - rt) / static_cast<float>(w.rules.tick_rate);
  }

  int best = -1;
  float best_t = 2.0f;
  w.grid.for_each_near_segment(from, end, margin, [&](std::uint32_t index) {
    const Bot& target = w.bots[index];
    if (!target.alive || !are_enemies(w.rules, shooter.team, shooter.id, target.team, target.id)) return;
    Vec2 pos = target.pos;
    if (past != nullptr) {
      if (target.spawned_at > rt) return;  // that life did not exist in the shooter's view
      auto it = std::lower_bound(past->begin(), past->end(), target.id,
                                 [](const PastBot& p, EntityId id) { return p.id < id; });
      if (it == past->end() || it->id != target.id || !it->alive) return;
      pos = it->pos;
    }
    const auto t = segment_circle(from, end, pos, w.chassis(target).radius);
    if (t && (*t < best_t || (*t == best_t && static_cast<int>(index) < best))) {
      best_t = *t;
      best = static_cast<int>(index);
    }
  });
  return best;
}

}  // namespace qbot::sim
