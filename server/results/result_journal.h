#pragma once
// The local result journal: where a match result waits while the Store
// cannot take it (Redis unreachable at match end), so that no result is
// lost. One file per match, `{match_id}.result`, holding the result_codec
// bytes; written atomically (temp file, fsync, rename, fsync of the
// directory), so a crash leaves either the whole file or none.
// Plus the delivery policy the server runs on its store worker thread:
// deliver_result at match end, redeliver_journaled at start and
// periodically. Calls block on disk and the store: never the tick thread.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/store/store.h"

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

/// What became of the results handed to deliver_result / redeliver_journaled.
struct DeliveryCounts {
  std::size_t applied = 0;     // the store applied it now
  std::size_t duplicates = 0;  // the store already had this match id
  std::size_t journaled = 0;   // the store was unreachable: saved for later
  std::size_t refused = 0;     // the store refused it as invalid (never retried)
  std::size_t lost = 0;        // neither stored nor journaled (disk failed too); logged
  std::size_t remaining = 0;   // still in the journal after redelivery stopped
  friend bool operator==(const DeliveryCounts&, const DeliveryCounts&) = default;
};

/// Match end: submit; on an Io error journal the result instead.
DeliveryCounts deliver_result(Store& store, ResultJournal& journal, const MatchResult& result);

/// Submits journaled results oldest first; each one the store applied or
/// already had is removed. Stops at the first Io error (the store is still
/// unreachable: the rest would fail too, and order is kept for next time).
DeliveryCounts redeliver_journaled(Store& store, ResultJournal& journal);

}  // namespace qbot::server
