#pragma once
// The local result journal: where a match result waits while the Store
// cannot take it (Redis unreachable at match end), so that no result is
// lost. One file per match, `{match_id}.result`, holding the result_codec
// bytes; written atomically (temp file, fsync, rename, fsync of the
// directory), so a crash leaves either the whole file or none.
// When a result goes to the store and when to the journal is
// result_delivery.h. Calls block on disk: never on the tick thread.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/store/store_types.h"

namespace qbot::server {

class ResultJournal {
 public:
  /// The directory is created on the first save.
  explicit ResultJournal(std::filesystem::path dir);

  /// Writes the result's file (replacing one of the same match id).
  /// Fails with the reason if the result is not storable (result_codec.h)
  /// or the disk write fails.
  core::Result<bool, std::string> save(const MatchResult& result);

  /// Every saved result, oldest first (by ended_ms, then match id: the order
  /// the matches ended, so ratings are applied in that order). A file that
  /// cannot be read or decoded, or whose name is not its match id, is
  /// renamed to `*.bad`, logged and counted, and left out.
  std::vector<MatchResult> pending();

  /// Deletes the match's file; false if there was none.
  bool remove(MatchId id);

  /// Renames the match's file to `*.bad` (kept for an operator, never
  /// replayed); logged with `reason`.
  void set_aside(MatchId id, const std::string& reason);

  /// Files renamed to `*.bad` by this object.
  std::uint64_t bad_files() const { return bad_files_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path path_of(MatchId id) const;

 private:
  void quarantine(const std::filesystem::path& file, const std::string& reason);
  std::filesystem::path dir_;
  std::uint64_t bad_files_ = 0;
};

}  // namespace qbot::server
