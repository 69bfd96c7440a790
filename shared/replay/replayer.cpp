#include "replay/replayer.h"

#include "content/catalog_loader.h"
#include "content/map_loader.h"
#include "sim/step.h"
#include "sim/world_hash.h"

namespace qbot::replay {

core::Result<VerifyReport, std::string> verify_recording(const Recording& rec, const StepObserver& observe) {
  auto catalog = content::catalog_from_binary(rec.catalog_binary);
  if (!catalog) return core::Err{"embedded catalog: " + catalog.error().message};
  auto map = content::map_from_binary(rec.map_binary);
  if (!map) return core::Err{"embedded map: " + map.error().message};

  sim::World world = sim::make_world(catalog.value(), map.value(), rec.rules, rec.seed);
  world.tick = rec.start_tick;

  VerifyReport report;
  std::size_t next_roster = 0, next_command = 0, next_checkpoint = 0;
  std::vector<sim::BotCommand> commands;
  while (true) {
    for (; next_roster < rec.roster.size() && rec.roster[next_roster].tick == world.tick; ++next_roster) {
      const RosterChange& c = rec.roster[next_roster];
      const bool applied = c.joined ? sim::add_bot(world, c.bot, c.team, c.loadout) : sim::remove_bot(world, c.bot);
      if (!applied) {
        return core::Err{"roster[" + std::to_string(next_roster) + "]: cannot " + (c.joined ? "add" : "remove") +
                         " bot " + std::to_string(c.bot) + " at tick " + std::to_string(c.tick)};
      }
    }
    if (world.tick >= rec.end_tick) break;
    commands.clear();
    for (; next_command < rec.commands.size() && rec.commands[next_command].tick == world.tick + 1; ++next_command) {
      commands.push_back(rec.commands[next_command].command);
    }
    const std::vector<sim::Event> events = sim::step(world, commands);
    if (observe) observe(world, events);
    report.ticks += 1;
    if (next_checkpoint < rec.checkpoints.size() && rec.checkpoints[next_checkpoint].tick == world.tick) {
      const std::uint64_t h = sim::world_hash(world);
      report.checkpoints_checked += 1;
      if (h != rec.checkpoints[next_checkpoint].hash && report.first_mismatch == 0) {
        report.first_mismatch = world.tick;
        report.expected_hash = rec.checkpoints[next_checkpoint].hash;
        report.actual_hash = h;
      }
      ++next_checkpoint;
    }
  }
  report.final_hash = sim::world_hash(world);
  report.ok = report.first_mismatch == 0 && report.checkpoints_checked == rec.checkpoints.size();

  report.results_match = true;
  for (const proto::PlayerResult& r : rec.results) {
    const sim::Bot* b = sim::find_bot(world, r.entity_id);
    if (b == nullptr || b->kills != r.kills || b->deaths != r.deaths ||
        static_cast<std::uint32_t>(b->damage_dealt) != r.damage) {
      report.results_match = false;
    }
  }
  return report;
}

}  // namespace qbot::replay
