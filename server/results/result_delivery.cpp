#include "server/results/result_delivery.h"

#include <spdlog/spdlog.h>

namespace qbot::server {

DeliveryCounts deliver_result(Store& store, ResultJournal& journal, const MatchResult& result) {
  DeliveryCounts counts;
  auto submitted = store.submit_result(result);
  if (submitted) {
    (*submitted ? counts.applied : counts.duplicates) += 1;
    return counts;
  }
  if (submitted.error().kind != StoreError::Kind::Io) {
    // Invalid (a match id 0, an account twice, ...) is decided by the
    // result alone: every later delivery would be refused the same way, so
    // journaling it would only block the journal. The log keeps the evidence.
    spdlog::error("match {}: result refused by the store, dropped: {}", result.match_id, submitted.error().message);
    counts.refused += 1;
    return counts;
  }
  auto saved = journal.save(result);
  if (!saved) {
    spdlog::error("match {}: store unreachable ({}) and journal failed ({}): result lost", result.match_id,
                  submitted.error().message, saved.error());
    counts.lost += 1;
    return counts;
  }
  spdlog::warn("match {}: store unreachable ({}); result journaled in {}", result.match_id, submitted.error().message,
               journal.dir().string());
  counts.journaled += 1;
  return counts;
}

DeliveryCounts redeliver_journaled(Store& store, ResultJournal& journal) {
  DeliveryCounts counts;
  const std::vector<MatchResult> pending = journal.pending();
  for (std::size_t i = 0; i < pending.size(); ++i) {
    const MatchResult& result = pending[i];
    auto submitted = store.submit_result(result);
    if (!submitted && submitted.error().kind == StoreError::Kind::Io) {
      counts.remaining = pending.size() - i;
      spdlog::warn("result journal: {} result(s) wait for the store: {}", counts.remaining, submitted.error().message);
      break;
    }
    if (!submitted) {
      // Cannot happen for a file that decoded (decoding checks the same
      // ranges), unless the store's rules changed; never retry it.
      journal.set_aside(result.match_id, "refused by the store: " + submitted.error().message);
      counts.refused += 1;
      continue;
    }
    (*submitted ? counts.applied : counts.duplicates) += 1;
    journal.remove(result.match_id);
  }
  if (counts.applied + counts.duplicates > 0) {
    spdlog::info("result journal: delivered {} result(s), {} already known", counts.applied, counts.duplicates);
  }
  return counts;
}

}  // namespace qbot::server
