#include "server/store/memory_store.h"
#include "server/store/record_codec.h"

namespace qbot::server {

StoreResult<BotRecord> MemoryStore::create_bot(AccountId account, const BotRecord& bot, std::uint32_t max_bots) {
  if (account == 0) return core::Err{invalid_argument("account 0")};
  if (auto why = bot_problem(bot)) return core::Err{invalid_argument(*why)};
  std::lock_guard lock(mu_);
  Garage& garage = garages_[account];
  if (garage.bots.size() >= max_bots) return core::Err{garage_full(max_bots)};
  BotRecord created = bot;
  created.id = garage.next_bot_id++;
  created.stats = {};
  garage.bots[created.id] = created;
  return created;
}

StoreResult<std::vector<BotRecord>> MemoryStore::list_bots(AccountId account) {
  if (account == 0) return core::Err{invalid_argument("account 0")};
  std::lock_guard lock(mu_);
  std::vector<BotRecord> out;
  if (auto g = garages_.find(account); g != garages_.end()) {
    for (const auto& [id, bot] : g->second.bots) out.push_back(bot);
  }
  return out;
}

StoreResult<BotRecord> MemoryStore::update_bot(AccountId account, const BotRecord& bot) {
  if (account == 0 || bot.id == 0) return core::Err{invalid_argument("account or bot id 0")};
  if (auto why = bot_problem(bot)) return core::Err{invalid_argument(*why)};
  std::lock_guard lock(mu_);
  if (auto g = garages_.find(account); g != garages_.end()) {
    if (auto b = g->second.bots.find(bot.id); b != g->second.bots.end()) {
      b->second.loadout = bot.loadout;  // stats stay: they belong to the bot, not its looks
      return b->second;
    }
  }
  return core::Err{no_such_bot(bot.id)};
}

StoreResult<bool> MemoryStore::delete_bot(AccountId account, std::uint32_t bot_id) {
  if (account == 0 || bot_id == 0) return core::Err{invalid_argument("account or bot id 0")};
  std::lock_guard lock(mu_);
  auto g = garages_.find(account);
  if (g == garages_.end() || g->second.bots.erase(bot_id) == 0) return core::Err{no_such_bot(bot_id)};
  return true;
}

}  // namespace qbot::server
