#include "server/arena/arena_directory.h"

namespace qbot::server {

ArenaDirectory::ArenaDirectory(const ArenaContent& content, const MatchSettings& settings, std::size_t arena_size,
                               std::uint64_t seed, std::string server_id)
    : content_(content), settings_(settings), arena_size_(arena_size), seed_(seed), server_id_(std::move(server_id)) {}

Arena& ArenaDirectory::admit() {
  Arena* best = nullptr;
  for (auto& [id, arena] : arenas_) {
    if (arena->full() || arena->matchmade()) continue;
    if (best == nullptr || arena->players().size() > best->players().size()) best = arena.get();
  }
  if (best != nullptr) return *best;
  return open(settings_, arena_size_);
}

Arena& ArenaDirectory::open_matchmade(std::uint64_t match_id, proto::GameMode mode, std::size_t seats) {
  MatchSettings s = settings_;
  s.mode = mode;
  s.matchmade_id = match_id;
  // Start when everyone assigned is in; the server lowers this when the
  // join timeout passes.
  s.min_players = static_cast<std::uint32_t>(seats);
  return open(s, seats);
}

Arena& ArenaDirectory::open(const MatchSettings& settings, std::size_t capacity) {
  const ArenaId id = next_id_++;
  // Each arena gets its own seed stream so matches differ but stay replayable.
  const std::uint64_t seed = seed_ ^ (0x9e3779b97f4a7c15ULL * id);
  auto [it, _] = arenas_.emplace(id, std::make_unique<Arena>(id, content_, settings, seed, capacity, server_id_));
  return *it->second;
}

Arena* ArenaDirectory::find(ArenaId id) {
  auto it = arenas_.find(id);
  return it == arenas_.end() ? nullptr : it->second.get();
}

std::size_t ArenaDirectory::close_empty() {
  return std::erase_if(arenas_, [](const auto& kv) { return kv.second->empty() && !kv.second->matchmade(); });
}

}  // namespace qbot::server
