#pragma once
// A recorded battle in plain C++ (schemas/replay.fbs is its file form).
// The server fills one while a battle runs; qbot-replay reads one back.
#include <cstdint>
#include <string>
#include <vector>

#include "core/tick.h"
#include "proto/messages.h"
#include "sim/catalog.h"
#include "sim/step.h"
#include "sim/world.h"

namespace qbot::replay {

constexpr std::uint16_t kFormatVersion = 1;
/// Longest battle a file may describe: twice the server's longest
/// --match-duration. Bounds the work `qbot-replay verify` does for a file.
constexpr std::uint32_t kMaxRecordedSeconds = 4 * 3600;

struct RosterChange {
  core::Tick tick = 0;  // applied when the world is at this tick, before the next step
  bool joined = true;
  sim::EntityId bot = 0;
  std::uint8_t team = 0;
  std::uint32_t player_id = 0;
  std::string name;
  sim::Loadout loadout;  // catalog indices (joined only)
};

struct TickCommand {
  core::Tick tick = 0;  // the step this command was applied in
  sim::BotCommand command;
};

struct Checkpoint {
  core::Tick tick = 0;
  std::uint64_t hash = 0;
};

struct Recording {
  std::uint64_t match_id = 0;
  std::string server_id;
  proto::GameMode mode = proto::GameMode::FreeForAll;
  std::vector<std::uint8_t> catalog_binary;
  std::vector<std::uint8_t> map_binary;
  sim::Rules rules;
  std::uint64_t seed = 0;
  core::Tick start_tick = 0;
  core::Tick end_tick = 0;
  std::vector<RosterChange> roster;
  std::vector<TickCommand> commands;
  std::vector<Checkpoint> checkpoints;
  proto::EndReason end_reason = proto::EndReason::TimeLimit;
  std::uint8_t winner_team = 0;
  std::vector<proto::PlayerResult> results;
};

}  // namespace qbot::replay
