#include "server/arena/arena.h"

#include <algorithm>

#include "server/snapshot/world_frame.h"

namespace qbot::server {

Arena::Arena(ArenaId id, const sim::Map& map, const sim::Rules& rules, std::uint64_t seed, std::size_t capacity)
    : id_(id), capacity_(std::min<std::size_t>(capacity, sim::kMaxBots)), world_(sim::make_world(map, rules, seed)) {
  frame_ = frame_from_world(world_);
}

std::optional<sim::EntityId> Arena::add_player(SessionId session, std::uint32_t player_id, std::string name) {
  if (full()) return std::nullopt;
  // Lowest free bot id: ids stay small, and a leaver's id is reused.
  sim::EntityId entity = 1;
  while (sim::find_bot(world_, entity) != nullptr) ++entity;
  if (!sim::add_bot(world_, entity, 0)) return std::nullopt;
  players_.push_back({session, player_id, entity, std::move(name), 0});
  frame_ = frame_from_world(world_);
  return entity;
}

bool Arena::remove_player(SessionId session) {
  auto it = std::find_if(players_.begin(), players_.end(), [&](const ArenaPlayer& p) { return p.session == session; });
  if (it == players_.end()) return false;
  sim::remove_bot(world_, it->entity);
  players_.erase(it);
  frame_ = frame_from_world(world_);
  return true;
}

const ArenaPlayer* Arena::find_player(SessionId session) const {
  auto it = std::find_if(players_.begin(), players_.end(), [&](const ArenaPlayer& p) { return p.session == session; });
  return it == players_.end() ? nullptr : &*it;
}

std::vector<sim::Event> Arena::step(std::span<const sim::BotCommand> commands) {
  auto events = sim::step(world_, commands);
  frame_ = frame_from_world(world_);
  return events;
}

}  // namespace qbot::server
