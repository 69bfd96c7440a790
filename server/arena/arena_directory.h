#pragma once
// All arenas of the process. Admission puts a player in the fullest arena
// that still has room (so matches fill up), and opens a new arena when every
// open one is full. Empty arenas are closed.
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
  Arena* find(ArenaId id);
  /// Closes arenas without players; returns how many were closed.
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
  std::map<ArenaId, std::unique_ptr<Arena>> arenas_;
};

}  // namespace qbot::server
