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
  enum class Kind : std::uint8_t { Hit, Kill, Respawn };
  Kind kind = Kind::Hit;
  EntityId actor = 0;   // shooter / killer / respawned bot
  EntityId target = 0;  // victim (Hit, Kill)
  std::int32_t amount = 0;  // damage (Hit)
};

/// Advances `world` by one tick. Commands for unknown bots are ignored;
/// bots without a command stand still and do not fire.
std::vector<Event> step(World& world, std::span<const BotCommand> commands);

/// Movement of one bot for one tick (acceleration toward the stick, walls).
/// Shared with client-side prediction.
void move_bot(const Rules& rules, const Map& map, Bot& bot, const Command& cmd);

}  // namespace qbot::sim
