#pragma once
// One fixed simulation step. Pure: the result depends only on the world and
// the commands (no clock, no I/O, no globals), so the same inputs and seed
// give the same world hash on every run.
#include <cstdint>
#include <span>
#include <vector>

#include "sim/command.h"
#include "sim/world.h"

namespace qbot::sim {

struct BotCommand {
  EntityId bot = 0;
  Command cmd;
};

struct Event {
  enum class Kind : std::uint8_t { Hit, Kill, Respawn, ModuleUsed };
  Kind kind = Kind::Hit;
  EntityId actor = 0;       // shooter / killer / respawned bot / module user
  EntityId target = 0;      // victim (Hit, Kill)
  std::int32_t amount = 0;  // damage after armor and shield (Hit)
  PartIndex part = 0;       // weapon (Hit, Kill) or module (ModuleUsed)
};

/// Advances `world` by one tick. Commands for unknown or dead bots are
/// ignored; live bots without a command coast to a stop and do not fire.
/// With several commands for one bot, the last one wins.
std::vector<Event> step(World& world, std::span<const BotCommand> commands);

}  // namespace qbot::sim
