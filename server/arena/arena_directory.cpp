#include "server/arena/arena_directory.h"

namespace qbot::server {

ArenaDirectory::ArenaDirectory(const sim::Map& map, sim::Rules rules, std::size_t arena_size, std::uint64_t seed)
    : map_(map), rules_(rules), arena_size_(arena_size), seed_(seed) {}

Arena& ArenaDirectory::admit() {
  Arena* best = nullptr;
  for (auto& [id, arena] : arenas_) {
    if (arena->full()) continue;
    if (best == nullptr || arena->players().size() > best->players().size()) best = arena.get();
  }
  if (best != nullptr) return *best;
  const ArenaId id = next_id_++;
  // Each arena gets its own seed stream so matches differ but stay replayable.
  const std::uint64_t seed = seed_ ^ (0x9e3779b97f4a7c15ULL * id);
  auto [it, _] = arenas_.emplace(id, std::make_unique<Arena>(id, map_, rules_, seed, arena_size_));
  return *it->second;
}

Arena* ArenaDirectory::find(ArenaId id) {
  auto it = arenas_.find(id);
  return it == arenas_.end() ? nullptr : it->second.get();
}

std::size_t ArenaDirectory::close_empty() {
  return std::erase_if(arenas_, [](const auto& kv) { return kv.second->empty(); });
}

}  // namespace qbot::server
