#include "sim/step.h"

#include <algorithm>

#include "sim/combat.h"
#include "sim/modules.h"
#include "sim/movement.h"
#include "sim/projectiles.h"

namespace qbot::sim {

std::vector<Event> step(World& w, std::span<const BotCommand> commands) {
  std::vector<Event> events;
  w.tick += 1;

  // Respawns first, so a bot that comes back this tick can act.
  for (Bot& bot : w.bots) {
    if (!bot.alive && w.tick >= bot.respawn_at) {
      spawn_bot(w, bot);
      events.push_back({Event::Kind::Respawn, bot.id, 0, 0, 0});
    }
  }

  // One command per bot, in bot-id order, so the result does not depend on
  // arrival order. A merge walk over the sorted commands keeps this linear.
  std::vector<BotCommand> sorted(commands.begin(), commands.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const BotCommand& a, const BotCommand& b) { return a.bot < b.bot; });
  std::vector<Command> per_bot(w.bots.size());
  std::size_t next = 0;
  for (std::size_t i = 0; i < w.bots.size(); ++i) {
    while (next < sorted.size() && sorted[next].bot < w.bots[i].id) ++next;
    while (next < sorted.size() && sorted[next].bot == w.bots[i].id) per_bot[i] = sorted[next++].cmd;
  }

  // Modules first, so a dash or a shield acts on the tick it is pressed
  // (an EMP uses last tick's broad phase), then movement and the broad
  // phase on the new positions.
  for (std::size_t i = 0; i < w.bots.size(); ++i) {
    Bot& bot = w.bots[i];
    if (!bot.alive) continue;
    use_module(w, bot, per_bot[i], events);
    upkeep(w, bot);
    move_bot(w, w.tick, bot, per_bot[i]);
  }
  rebuild_grid(w);
  separate_bots(w);
  rebuild_grid(w);

  // Weapons see everyone's movement of this tick.
  for (std::size_t i = 0; i < w.bots.size(); ++i) {
    Bot& bot = w.bots[i];
    if (bot.alive) fire_weapons(w, bot, per_bot[i], events);
  }
  advance_projectiles(w, events);

  // What clients will see of this tick, for later lag-compensated shots.
  std::vector<PastBot> now;
  now.reserve(w.bots.size());
  for (const Bot& b : w.bots) now.push_back({b.id, b.alive, b.pos});
  w.history.record(w.tick, now);
  return events;
}

}  // namespace qbot::sim
