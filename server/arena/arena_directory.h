#pragma once
// All arenas of the process. Admission puts a player in the fullest arena
// that still has room (so matches fill up), and opens a new arena when every
// open one is full. Empty arenas are closed. Matchmade arenas (one assigned
// match each) are outside admission and are closed by the server itself.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "server/arena/arena.h"

namespace qbot::server {

class ArenaDirectory {
 public:
  ArenaDirectory(const ArenaContent& content, const MatchSettings& settings, std::size_t arena_size, std::uint64_t seed,
                 std::string server_id);

  /// An arena with a free slot, opening one if needed.
  Arena& admit();
  /// A new arena for one matchmade match of `seats` players.
  Arena& open_matchmade(std::uint64_t match_id, proto::GameMode mode, std::size_t seats);
  void close(ArenaId id) { arenas_.erase(id); }
  Arena* find(ArenaId id);
  /// Closes direct-join arenas without players; returns how many were closed.
  std::size_t close_empty();

  std::map<ArenaId, std::unique_ptr<Arena>>& arenas() { return arenas_; }
  std::size_t size() const { return arenas_.size(); }

 private:
  const ArenaContent& content_;
  MatchSettings settings_;
  std::size_t arena_size_;
  std::uint64_t seed_;
  std::string server_id_;
  ArenaId next_id_ = 1;
  Arena& open(const MatchSettings& settings, std::size_t capacity);
  std::map<ArenaId, std::unique_ptr<Arena>> arenas_;
};

}  // namespace qbot::server
