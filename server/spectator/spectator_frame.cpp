#include "server/spectator/spectator_frame.h"

#include <algorithm>
#include <cmath>

#include "sim/geometry.h"

namespace qbot::server::spectator {
namespace {

/// Metres to whole centimetres: positions cross the wire as integers.
std::int64_t cm(float metres) { return std::lround(metres * 100.0f); }

const BotLabel* find_label(std::span<const BotLabel> labels, sim::EntityId id) {
  const auto it = std::find_if(labels.begin(), labels.end(), [&](const BotLabel& l) { return l.entity == id; });
  return it == labels.end() ? nullptr : &*it;
}

/// Where a ray from `from` along `dir` (unit) stops: at `range`, the first
/// interior wall, or the map's edge.
sim::Vec2 ray_end(const sim::Map& map, sim::Vec2 from, sim::Vec2 dir, float range) {
  const sim::Vec2 to{from.x + dir.x * range, from.y + dir.y * range};
  float t = 1.0f;
  for (const sim::Box& wall : map.walls) {
    if (auto hit = sim::segment_box(from, to, wall); hit && *hit < t) t = *hit;
  }
  sim::Vec2 end{from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t};
  end.x = std::clamp(end.x, 0.0f, map.width);
  end.y = std::clamp(end.y, 0.0f, map.height);
  return end;
}

bool is_hitscan(sim::WeaponKind kind) { return kind == sim::WeaponKind::Hitscan || kind == sim::WeaponKind::Shotgun; }

}  // namespace

void FrameTrack::on_kill(core::Tick tick, std::string_view killer, std::string_view victim, std::string_view weapon) {
  kills_.push_back({tick, std::string(killer), std::string(victim), std::string(weapon)});
  while (kills_.size() > kKillFeedLines) kills_.pop_front();
}

void FrameTrack::write_frame(const FrameScene& scene, JsonWriter& out) {
  const sim::World& w = scene.world;
  out.clear();
  out.open_object();
  out.key("type");
  out.string("frame");
  out.key("arena");
  out.number(scene.arena);
  out.key("tick");
  out.number(w.tick);
  out.key("tickRate");
  out.number(w.rules.tick_rate);
  out.key("phase");
  out.string(scene.phase);
  out.key("leftMs");
  const core::Tick left = scene.phase_ends > w.tick ? scene.phase_ends - w.tick : 0;
  out.number(std::int64_t{left} * 1000 / std::max<std::uint32_t>(1, w.rules.tick_rate));
  out.key("match");
  out.hex(scene.match_id);
  out.key("mode");
  out.string(scene.mode);
  out.key("map");
  out.hex(w.map->identity);
  write_entities(scene, out);
  write_events(w, out);
  write_traces(w, out);
  write_kill_feed(out);
  out.close_object();
  last_tick_ = w.tick;
}

void FrameTrack::write_entities(const FrameScene& scene, JsonWriter& out) const {
  const sim::World& w = scene.world;
  out.key("bots");
  out.open_array();
  for (const sim::Bot& b : w.bots) {
    const BotLabel* label = find_label(scene.labels, b.id);
    out.open_object();
    out.key("id");
    out.number(b.id);
    out.key("name");
    out.string(label != nullptr ? label->name : std::string_view{});
    out.key("paint");
    out.number(label != nullptr ? label->paint & 0xFFFFFFu : 0xFFFFFFu);
    out.key("team");
    out.number(b.team);
    out.key("x");
    out.number(cm(b.pos.x));
    out.key("y");
    out.number(cm(b.pos.y));
    out.key("aim");
    out.number(std::lround(b.aim * 1000.0f));  // milliradians
    out.key("r");
    out.number(cm(w.chassis(b).radius));
    out.key("hp");
    out.number(b.hp);
    out.key("maxHp");
    out.number(w.chassis(b).hp);
    out.key("shield");
    out.number(b.shield);
    out.key("alive");
    out.boolean(b.alive);
    out.key("kills");
    out.number(b.kills);
    out.key("deaths");
    out.number(b.deaths);
    out.key("score");
    out.number(b.score);
    out.close_object();
  }
  out.close_array();
  out.key("proj");
  out.open_array();  // [x, y, vx, vy, kind, owner]: cm and cm/s
  for (const sim::Projectile& p : w.projectiles) {
    out.open_array();
    for (const std::int64_t v : {cm(p.pos.x), cm(p.pos.y), cm(p.vel.x), cm(p.vel.y),
                                 std::int64_t{static_cast<std::uint8_t>(p.kind)}, std::int64_t{p.owner}}) {
      out.number(v);
    }
    out.close_array();
  }
  out.close_array();
}

/// Deaths and respawns since the previous frame, from the alive states.
void FrameTrack::write_events(const sim::World& w, JsonWriter& out) {
  out.key("events");
  out.open_array();
  for (const sim::Bot& b : w.bots) {
    std::uint8_t& before = was_alive_[b.id];
    const std::uint8_t now = b.alive ? 1 : 2;
    if (before != 0 && before != now) {
      out.open_array();
      out.string(b.alive ? "respawn" : "death");
      out.number(b.id);
      out.close_array();
    }
    before = now;
  }
  out.close_array();
}

/// Hitscan shots fired since the previous frame: a weapon's next allowed
/// shot minus its interval is when it last fired. Drawn along the bot's
/// current aim to the first wall (spread and lag compensation are not shown).
void FrameTrack::write_traces(const sim::World& w, JsonWriter& out) const {
  out.key("traces");
  out.open_array();  // [x0, y0, x1, y1, shooter]
  for (const sim::Bot& b : w.bots) {
    if (!b.alive) continue;
    for (const sim::Slot slot : {sim::kPrimary, sim::kSecondary}) {
      const sim::WeaponSpec& weapon = w.weapon(b, slot);
      const core::Tick interval = sim::ticks_for(w.rules, weapon.fire_interval);
      const core::Tick next = b.next_fire[slot];
      if (!is_hitscan(weapon.kind) || next < interval) continue;
      const core::Tick fired = next - interval;
      if (fired <= last_tick_ || fired > w.tick) continue;
      const sim::Vec2 dir{std::cos(b.aim), std::sin(b.aim)};
      const sim::Vec2 end = ray_end(*w.map, b.pos, dir, weapon.range);
      out.open_array();
      for (const std::int64_t v : {cm(b.pos.x), cm(b.pos.y), cm(end.x), cm(end.y), std::int64_t{b.id}}) out.number(v);
      out.close_array();
    }
  }
  out.close_array();
}

void FrameTrack::write_kill_feed(JsonWriter& out) const {
  out.key("killFeed");
  out.open_array();
  for (const KillLine& k : kills_) {
    out.open_object();
    out.key("tick");
    out.number(k.tick);
    out.key("killer");
    out.string(k.killer);
    out.key("victim");
    out.string(k.victim);
    out.key("weapon");
    out.string(k.weapon);
    out.close_object();
  }
  out.close_array();
}

std::string map_message(const sim::Map& map) {
  JsonWriter out;
  out.open_object();
  out.key("type");
  out.string("map");
  out.key("id");
  out.hex(map.identity);
  out.key("name");
  out.string(map.name);
  out.key("w");
  out.number(cm(map.width));
  out.key("h");
  out.number(cm(map.height));
  out.key("walls");
  out.open_array();  // [x0, y0, x1, y1]
  for (const sim::Box& b : map.walls) {
    out.open_array();
    for (const std::int64_t v : {cm(b.min.x), cm(b.min.y), cm(b.max.x), cm(b.max.y)}) out.number(v);
    out.close_array();
  }
  out.close_array();
  out.close_object();
  return out.text();
}

}  // namespace qbot::server::spectator
