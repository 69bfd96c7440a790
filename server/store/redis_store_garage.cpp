// Garage on Redis: one hash per account (`garage:{account}`: field per bot
// id = encode_bot, plus the `next_id` counter) and the per-bot stats that
// results write into `botstats:{account}`. Layout: docs/REDIS.md "Garage";
// scripts in lua/.
#include <algorithm>
#include <array>
#include <map>

#include "qbot/store/lua_scripts.h"
#include "server/store/record_codec.h"
#include "server/store/redis_store.h"

namespace qbot::server {
namespace {

// The botstats fields of a bot are `{id}:{name}` (lua/prelude.lua stat_fields).
constexpr std::array<const char*, 4> kStatFields = {"matches", "wins", "kills", "deaths"};

/// A stats counter as stored (nil = never counted = 0); false if hostile.
bool parse_stat(const redisReply* value, std::uint32_t& out) {
  out = 0;
  if (!reply::is_string(value)) return true;  // nil: never counted (HMGET / HGETALL give nothing else)
  return parse_decimal(reply::str(value), out);
}

/// The four counters, in kStatFields order; `hostile` is set if any is (left 0).
BotStats stats_from(const std::array<const redisReply*, 4>& values, bool& hostile) {
  std::array<std::uint32_t, 4> n{};
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (!parse_stat(values[i], n[i])) hostile = true;
  }
  return BotStats{n[0], n[1], n[2], n[3]};
}

}  // namespace

StoreResult<BotRecord> RedisStore::create_bot(AccountId account, const BotRecord& bot, std::uint32_t max_bots) {
  if (account == 0) return core::Err{invalid_argument("account 0")};
  if (auto why = bot_problem(bot)) return core::Err{invalid_argument(*why)};
  const std::string keys[] = {garage_key(account)};
  const std::string args[] = {std::to_string(max_bots), encode_bot(bot)};
  auto r = run_script(lua::kCreateBot, keys, args);
  if (!r) return io_error<BotRecord>(r.error());
  if (!r->is_integer()) return io_error<BotRecord>(RedisError{"create bot: unexpected reply", false});
  if (r->integer() < 0) return core::Err{garage_full(max_bots)};
  BotRecord created = bot;
  created.id = static_cast<std::uint32_t>(r->integer());  // the script keeps it in 1..2^32-1
  created.stats = {};
  return created;
}

StoreResult<std::vector<BotRecord>> RedisStore::list_bots(AccountId account) {
  if (account == 0) return core::Err{invalid_argument("account 0")};
  auto r = run_pipeline({{"HGETALL", garage_key(account)}, {"HGETALL", botstats_key(account)}});
  if (!r) return io_error<std::vector<BotRecord>>(r.error());
  const RedisReply& bots = (*r)[0];
  const RedisReply& stats = (*r)[1];
  if (bots.is_error()) return io_error<std::vector<BotRecord>>(RedisError{std::string(bots.str()), false});

  std::map<std::string_view, const redisReply*> stat_values;
  if (stats.is_array() && stats.size() % 2 == 0) {
    for (std::size_t i = 0; i + 1 < stats.size(); i += 2) {
      if (reply::is_string(stats.at(i))) stat_values[reply::str(stats.at(i))] = stats.at(i + 1);
    }
  } else if (!stats.is_nil()) {
    reject(RecordKind::Garage, botstats_key(account) + " is unreadable; stats read as 0");
  }
  bool hostile_stats = false;

  std::vector<BotRecord> out;
  for (std::size_t i = 0; i + 1 < bots.size(); i += 2) {
    const auto* field = bots.at(i);
    const auto* value = bots.at(i + 1);
    if (reply::is_string(field) && reply::str(field) == "next_id") continue;
    std::uint32_t id = 0;
    // Canonical decimal only: "01" must not become a second bot 1.
    if (!reply::is_string(field) || !reply::is_string(value) || !parse_decimal(reply::str(field), id) || id == 0 ||
        std::to_string(id) != reply::str(field)) {
      reject(RecordKind::Garage,
             garage_key(account) + ": field " + std::string(reply::str(field).substr(0, 24)) + " is not a bot id");
      continue;
    }
    auto bot = decode_bot(reply::str(value));
    if (!bot) {
      reject(RecordKind::Garage, garage_key(account) + ": bot " + std::to_string(id) + ": " + bot.error());
      continue;
    }
    bot->id = id;
    std::array<const redisReply*, 4> values{};
    for (std::size_t f = 0; f < kStatFields.size(); ++f) {
      auto s = stat_values.find(std::to_string(id) + ":" + kStatFields[f]);
      values[f] = s == stat_values.end() ? nullptr : s->second;
    }
    bot->stats = stats_from(values, hostile_stats);
    out.push_back(std::move(*bot));
  }
  if (hostile_stats) reject(RecordKind::Garage, botstats_key(account) + ": a counter is not a decimal; read as 0");
  std::sort(out.begin(), out.end(), [](const BotRecord& a, const BotRecord& b) { return a.id < b.id; });
  return out;
}

StoreResult<BotRecord> RedisStore::update_bot(AccountId account, const BotRecord& bot) {
  if (account == 0 || bot.id == 0) return core::Err{invalid_argument("account or bot id 0")};
  if (auto why = bot_problem(bot)) return core::Err{invalid_argument(*why)};
  const std::string keys[] = {garage_key(account), botstats_key(account)};
  const std::string args[] = {std::to_string(bot.id), encode_bot(bot)};
  auto r = run_script(lua::kUpdateBot, keys, args);
  if (!r) return io_error<BotRecord>(r.error());
  if (r->is_nil()) return core::Err{no_such_bot(bot.id)};
  BotRecord updated = bot;
  std::array<const redisReply*, 4> values{};
  if (r->is_array() && r->size() == values.size()) {
    for (std::size_t f = 0; f < values.size(); ++f) values[f] = r->at(f);
    bool hostile = false;
    updated.stats = stats_from(values, hostile);
    if (hostile) reject(RecordKind::Garage, botstats_key(account) + ": a counter is not a decimal; read as 0");
  } else {
    reject(RecordKind::Garage, "update bot: stats reply is not four values");
    updated.stats = {};
  }
  return updated;
}

StoreResult<bool> RedisStore::delete_bot(AccountId account, std::uint32_t bot_id) {
  if (account == 0 || bot_id == 0) return core::Err{invalid_argument("account or bot id 0")};
  const std::string keys[] = {garage_key(account), botstats_key(account)};
  const std::string args[] = {std::to_string(bot_id)};
  auto r = run_script(lua::kDeleteBot, keys, args);
  if (!r) return io_error<bool>(r.error());
  if (r->integer() != 1) return core::Err{no_such_bot(bot_id)};
  return true;
}

}  // namespace qbot::server
