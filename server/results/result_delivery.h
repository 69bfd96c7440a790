#pragma once
// The delivery policy for match results: the store first; the local journal
// (result_journal.h) while the store is unreachable; redelivery from the
// journal oldest first, so ratings are applied in the order matches ended.
// The server runs deliver_result at match end and redeliver_journaled at
// start and periodically. Both block on disk and the store: only the IO
// worker thread calls them, never the tick thread.
#include <cstddef>

#include "server/results/result_journal.h"
#include "server/store/store.h"

namespace qbot::server {

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
