#include "sim/step.h"

#include <algorithm>
#include <cmath>

namespace qbot::sim {
namespace {

/// Pushes a circle out of a box. Returns true on contact.
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

bool point_in_box(Vec2 p, const Box& b) { return p.x >= b.min.x && p.x <= b.max.x && p.y >= b.min.y && p.y <= b.max.y; }

void respawn(World& w, Bot& bot) {
  bot.alive = true;
  bot.hp = w.rules.max_hp;
  bot.vel = {};
  const auto& spawns = w.map->spawns;
  bot.pos = spawns[w.rng.below(static_cast<std::uint32_t>(spawns.size()))].pos;
}

EntityId allocate_projectile_id(World& w) {
  // Ids cycle through [kFirstProjectileId, 65535]; skip any still in flight.
  for (;;) {
    const EntityId id = w.next_projectile_id;
    w.next_projectile_id = id == 0xffff ? kFirstProjectileId : static_cast<EntityId>(id + 1);
    const bool used = std::any_of(w.projectiles.begin(), w.projectiles.end(),
                                  [&](const Projectile& p) { return p.id == id; });
    if (!used) return id;
  }
}

}  // namespace

void move_bot(const Rules& rules, const Map& map, Bot& bot, const Command& cmd) {
  const float dt = 1.0f / static_cast<float>(rules.tick_rate);
  // -128 is not a valid stick value; treat it as -127 so |move| <= 1.
  const auto axis = [](std::int8_t v) { return static_cast<float>(std::max<int>(v, -127)) / 127.0f; };
  const Vec2 stick = clamp_length({axis(cmd.move_x), axis(cmd.move_y)}, 1.0f);
  const Vec2 target = stick * rules.max_speed;
  const Vec2 dv = clamp_length(target - bot.vel, rules.acceleration * dt);
  bot.vel = clamp_length(bot.vel + dv, rules.max_speed);
  bot.aim = aim_radians(cmd.aim);
  bot.pos += bot.vel * dt;

  const float r = rules.bot_radius;
  for (const Box& wall : map.walls) push_out_of_box(bot.pos, r, wall);
  bot.pos.x = std::clamp(bot.pos.x, r, map.width - r);
  bot.pos.y = std::clamp(bot.pos.y, r, map.height - r);
}

std::vector<Event> step(World& w, std::span<const BotCommand> commands) {
  std::vector<Event> events;
  w.tick += 1;
  const Rules& rules = w.rules;
  const float dt = 1.0f / static_cast<float>(rules.tick_rate);

  // Respawns first, so a bot that comes back this tick can act.
  for (Bot& bot : w.bots) {
    if (!bot.alive && w.tick >= bot.respawn_at) {
      respawn(w, bot);
      events.push_back({Event::Kind::Respawn, bot.id, 0, 0});
    }
  }

  // Commands are applied in bot-id order so the result does not depend on
  // arrival order; a merge walk keeps this linear.
  std::vector<BotCommand> sorted(commands.begin(), commands.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const BotCommand& a, const BotCommand& b) { return a.bot < b.bot; });
  std::size_t next_cmd = 0;
  for (Bot& bot : w.bots) {
    Command cmd;
    while (next_cmd < sorted.size() && sorted[next_cmd].bot < bot.id) ++next_cmd;
    // With duplicates for one bot, the last one wins.
    while (next_cmd < sorted.size() && sorted[next_cmd].bot == bot.id) cmd = sorted[next_cmd++].cmd;
    if (!bot.alive) continue;
    move_bot(rules, *w.map, bot, cmd);
    if ((cmd.buttons & kFirePrimary) && w.tick >= bot.next_fire) {
      bot.next_fire = w.tick + ticks_for(rules, rules.fire_interval_s);
      const Vec2 dir = from_angle(bot.aim);
      Projectile p;
      p.id = allocate_projectile_id(w);
      p.owner = bot.id;
      p.pos = bot.pos + dir * (rules.bot_radius + rules.projectile_radius);
      p.vel = dir * rules.projectile_speed;
      p.expires = w.tick + ticks_for(rules, rules.projectile_lifetime_s);
      w.projectiles.push_back(p);
    }
  }

  // Bot-bot separation (equal push, ascending id pairs: deterministic).
  const float min_dist = 2.0f * rules.bot_radius;
  for (std::size_t i = 0; i < w.bots.size(); ++i) {
    for (std::size_t j = i + 1; j < w.bots.size(); ++j) {
      Bot& a = w.bots[i];
      Bot& b = w.bots[j];
      if (!a.alive || !b.alive) continue;
      const Vec2 d = b.pos - a.pos;
      const float d2 = length_sq(d);
      if (d2 >= min_dist * min_dist) continue;
      const float dist = std::sqrt(d2);
      const Vec2 n = dist > 1e-6f ? d * (1.0f / dist) : Vec2{1.0f, 0.0f};
      const Vec2 push = n * ((min_dist - dist) * 0.5f);
      a.pos -= push;
      b.pos += push;
    }
  }

  // Projectiles: move, then hit walls, bots or expire.
  const float hit_dist = rules.bot_radius + rules.projectile_radius;
  std::erase_if(w.projectiles, [&](Projectile& p) {
    if (w.tick >= p.expires) return true;
    p.pos += p.vel * dt;
    if (p.pos.x < 0 || p.pos.y < 0 || p.pos.x > w.map->width || p.pos.y > w.map->height) return true;
    for (const Box& wall : w.map->walls) {
      if (point_in_box(p.pos, wall)) return true;
    }
    for (Bot& target : w.bots) {
      if (!target.alive || target.id == p.owner) continue;
      if (length_sq(target.pos - p.pos) >= hit_dist * hit_dist) continue;
      target.hp -= rules.projectile_damage;
      events.push_back({Event::Kind::Hit, p.owner, target.id, rules.projectile_damage});
      if (target.hp <= 0) {
        target.alive = false;
        target.deaths += 1;
        target.respawn_at = w.tick + ticks_for(rules, rules.respawn_delay_s);
        if (Bot* killer = find_bot(w, p.owner)) killer->kills += 1;
        events.push_back({Event::Kind::Kill, p.owner, target.id, 0});
      }
      return true;
    }
    return false;
  });
  return events;
}

}  // namespace qbot::sim
