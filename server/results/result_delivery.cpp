#include "server/results/result_delivery.h"

#include <spdlog/spdlog.h>

namespace qbot::server {

bool journal_first(ResultJournal& journal, const MatchResult& result) {
  auto saved = journal.save(result);
  if (!saved) {
    spdlog::error("match {}: result not journaled ({}); submitting it without a copy on disk", result.match_id,
                  saved.error());
  }
  return saved.ok();
}

namespace {

/// The store refused the result for good: kept aside, never retried.
DeliveryCounts refused(ResultJournal& journal, const MatchResult& result, bool in_journal, const StoreError& e) {
  const char* what = e.kind == StoreError::Kind::Conflict ? "conflict" : "refused";
  if (in_journal) {
    journal.set_aside(result.match_id, std::string(what) + " by the store: " + e.message);
  } else {
    spdlog::error("match {}: result {} by the store and not journaled: {}", result.match_id, what, e.message);
  }
  return DeliveryCounts{.refused = 1};
}

}  // namespace

DeliveryCounts deliver_journaled(Store& store, ResultJournal& journal, const MatchResult& result, bool in_journal) {
  DeliveryCounts counts;
  auto submitted = store.submit_result(result);
  if (submitted) {
    (*submitted ? counts.applied : counts.duplicates) += 1;
    if (in_journal) journal.remove(result.match_id);
    return counts;
  }
  if (submitted.error().kind != StoreError::Kind::Io) return refused(journal, result, in_journal, submitted.error());
  if (!in_journal) {
    if (auto saved = journal.save(result); !saved) {
      spdlog::error("match {}: store unreachable ({}) and journal failed ({}): result lost", result.match_id,
                    submitted.error().message, saved.error());
      counts.lost += 1;
      return counts;
    }
  }
  spdlog::warn("match {}: store unreachable ({}); result waits in {}", result.match_id, submitted.error().message,
               journal.dir().string());
  counts.journaled += 1;
  return counts;
}

DeliveryCounts deliver_result(Store& store, ResultJournal& journal, const MatchResult& result) {
  const bool in_journal = journal_first(journal, result);
  return deliver_journaled(store, journal, result, in_journal);
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
      // Invalid cannot happen for a file that decoded (decoding checks the
      // same ranges) unless the store's rules changed; Conflict: another
      // result holds this match id. Never retried; kept for an operator.
      const DeliveryCounts r = refused(journal, result, true, submitted.error());
      counts.refused += r.refused;
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
