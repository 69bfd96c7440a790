#include "server/store/memory_store.h"

#include "server/store/rating.h"
#include "server/store/record_codec.h"
#include "server/store/result_codec.h"

namespace qbot::server {

StoreResult<Rating> MemoryStore::rating(AccountId account) {
  if (account == 0) return core::Err{invalid_argument("account 0")};
  std::lock_guard lock(mu_);
  auto it = ratings_.find(account);
  return it == ratings_.end() ? Rating{} : it->second;
}

StoreResult<bool> MemoryStore::submit_result(const MatchResult& result) {
  if (auto problem = result_problem(result)) {
    return core::Err{invalid_argument("result refused: " + *problem)};
  }
  std::string bytes = encode_result(result);
  std::lock_guard lock(mu_);
  if (auto applied = applied_results_.find(result.match_id); applied != applied_results_.end()) {
    if (applied->second == bytes) return false;  // a duplicate delivery
    return core::Err{StoreError{"match " + std::to_string(result.match_id) +
                                    ": another result is already applied under this id; this one is refused",
                                StoreError::Kind::Conflict}};
  }
  applied_results_.emplace(result.match_id, std::move(bytes));

  std::vector<RatedPlayer> players;
  players.reserve(result.rows.size());
  for (const ResultRow& row : result.rows) {
    auto it = ratings_.find(row.account);
    players.push_back({it == ratings_.end() ? Rating{} : it->second, row.team, row.placement});
  }
  const std::vector<Rating> after = rate_match(players);
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    const ResultRow& row = result.rows[i];
    ratings_[row.account] = after[i];
    // Stats only for a bot that is still in the garage: a deleted bot (or
    // bot id 0, a guest's un-garaged bot) gets none, and no garage is created.
    auto garage = garages_.find(row.account);
    if (row.bot_id == 0 || garage == garages_.end()) continue;
    auto bot = garage->second.bots.find(row.bot_id);
    if (bot == garage->second.bots.end()) continue;
    BotStats& stats = bot->second.stats;
    stats.matches += 1;
    stats.wins += row.placement == 1 ? 1 : 0;
    stats.kills += row.kills;
    stats.deaths += row.deaths;
  }
  results_.push_back(result);
  while (results_max_ > 0 && results_.size() > results_max_) results_.pop_front();
  return true;
}

StoreResult<std::vector<MatchResult>> MemoryStore::results(std::size_t after, std::size_t count) {
  std::lock_guard lock(mu_);
  std::vector<MatchResult> out;
  if (after >= results_.size()) return out;
  const std::size_t n = std::min(count, results_.size() - after);
  out.assign(results_.begin() + static_cast<std::ptrdiff_t>(after),
             results_.begin() + static_cast<std::ptrdiff_t>(after + n));
  return out;
}

}  // namespace qbot::server
