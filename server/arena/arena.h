#pragma once
// One match: the simulated world, the players in it and the quantized frame
// of the current tick. Owns nothing network-related: the Server feeds it
// commands and reads its frame.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "proto/entity_state.h"
#include "sim/map.h"
#include "sim/step.h"
#include "sim/world.h"

namespace qbot::server {

using ArenaId = std::uint32_t;
using SessionId = std::uint64_t;

struct ArenaPlayer {
  SessionId session = 0;
  std::uint32_t player_id = 0;
  sim::EntityId entity = 0;
  std::string name;
  std::uint8_t team = 0;
};

class Arena {
 public:
  Arena(ArenaId id, const sim::Map& map, const sim::Rules& rules, std::uint64_t seed, std::size_t capacity);

  ArenaId id() const { return id_; }
  std::size_t capacity() const { return capacity_; }
  bool full() const { return players_.size() >= capacity_; }
  bool empty() const { return players_.empty(); }

  /// Places a player's bot in the world; nullopt when the arena is full.
  std::optional<sim::EntityId> add_player(SessionId session, std::uint32_t player_id, std::string name);
  /// Removes the player and its bot; false if it was not here.
  bool remove_player(SessionId session);
  const ArenaPlayer* find_player(SessionId session) const;
  const std::vector<ArenaPlayer>& players() const { return players_; }

  /// Runs one simulation tick and refreshes frame().
  std::vector<sim::Event> step(std::span<const sim::BotCommand> commands);

  const sim::World& world() const { return world_; }
  const proto::Frame& frame() const { return frame_; }
  const sim::Map& map() const { return *world_.map; }

 private:
  ArenaId id_;
  std::size_t capacity_;
  sim::World world_;
  std::vector<ArenaPlayer> players_;
  proto::Frame frame_;
};

}  // namespace qbot::server
