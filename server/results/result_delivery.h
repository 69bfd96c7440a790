#pragma once
// The delivery policy for match results, write-ahead: a finished match's
// result is saved in the local journal (result_journal.h, fsync'd) first,
// then submitted, and its file removed only once the store confirms (applied
// it, or already had this very result). A kill at any moment therefore loses
// nothing that was saved; whatever is left in the journal is redelivered
// oldest first, so ratings are applied in the order matches ended.
// The server runs journal_first (IoWorker disk lane) and deliver_journaled
// (store lane) at match end, redeliver_journaled at start and periodically.
// All block on disk or the store: never on the tick thread.
#include <cstddef>

#include "server/results/result_journal.h"
#include "server/store/store.h"

namespace qbot::server {

/// What became of the results handed to deliver_result / redeliver_journaled.
struct DeliveryCounts {
  std::size_t applied = 0;     // the store applied it now
  std::size_t duplicates = 0;  // the store already had this match id
  std::size_t journaled = 0;   // the store was unreachable: saved for later
  std::size_t refused = 0;  // the store refused it (invalid, or another result holds its id): set aside, never retried
  std::size_t lost = 0;     // neither stored nor journaled (disk failed too); logged
  std::size_t remaining = 0;  // still in the journal after redelivery stopped
  friend bool operator==(const DeliveryCounts&, const DeliveryCounts&) = default;
};

/// Match end, step 1: the result's journal file, written and fsync'd. False
/// (logged) if the disk failed; the result is then submitted without it.
bool journal_first(ResultJournal& journal, const MatchResult& result);

/// Match end, step 2: submits a result; `in_journal` says whether step 1
/// saved it. Applied or a duplicate: the file is removed. Io: the file stays
/// for redelivery (journaled), or, without a file, the result is saved now
/// or, failing that, lost (logged). Refused by the store (Invalid, or a
/// Conflict: another result holds this match id): the file is set aside as
/// `*.bad` for an operator, logged and counted, never retried.
DeliveryCounts deliver_journaled(Store& store, ResultJournal& journal, const MatchResult& result, bool in_journal);

/// Both steps on one thread (tests, tools).
DeliveryCounts deliver_result(Store& store, ResultJournal& journal, const MatchResult& result);

/// Submits journaled results oldest first; each one the store applied or
/// already had is removed. Stops at the first Io error (the store is still
/// unreachable: the rest would fail too, and order is kept for next time).
DeliveryCounts redeliver_journaled(Store& store, ResultJournal& journal);

}  // namespace qbot::server
