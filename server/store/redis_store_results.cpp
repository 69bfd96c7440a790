#include <cmath>
#include <cstdio>
#include <random>
#include <thread>

#include "server/store/rating.h"
#include "server/store/record_codec.h"
#include "server/store/redis_store.h"
#include "server/store/result_codec.h"

namespace qbot::server {
namespace {

// Applies one match result exactly once (docs/REDIS.md "Results and ratings").
// The Glicko-2 math runs in C++ on ratings read just before; this script
// commits them only if no other result touched those players in between.
// KEYS[1] marker, KEYS[2] stream, then n rating keys, n botstats keys,
// n garage keys (row order). ARGV[1] encoded result, ARGV[2] match id,
// ARGV[3] server id, ARGV[4] mode, ARGV[5] n, then 9 per row: matches as
// read ('' = none), rating, deviation, volatility, matches, bot id
// ('0' = none), win 0/1, kills, deaths; then the stream's maximum length
// ('0' = unbounded).
// Returns 'duplicate', 'retry', or the new stream entry id.
// Reads and checks come first and every write after XADD cannot fail, so an
// error (a key of the wrong type) can never leave a half-applied result.
constexpr const char* kSubmitResultScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 'duplicate' end
local n = tonumber(ARGV[5])
local stats = {}
for i = 1, n do
  local a = 5 + (i - 1) * 9
  local seen = redis.call('HGET', KEYS[2 + i], 'matches')
  if (seen or '') ~= ARGV[a + 1] then return 'retry' end
  local bot = ARGV[a + 6]
  if bot ~= '0' and redis.call('HEXISTS', KEYS[2 + 2 * n + i], bot) == 1 then
    local f = {bot .. ':matches', bot .. ':wins', bot .. ':kills', bot .. ':deaths'}
    local old = redis.call('HMGET', KEYS[2 + n + i], f[1], f[2], f[3], f[4])
    local add = {1, tonumber(ARGV[a + 7]), tonumber(ARGV[a + 8]), tonumber(ARGV[a + 9])}
    local new = {}
    for k = 1, 4 do
      -- A counter that is not a plain decimal is hostile: it restarts at 0.
      local v = old[k]
      if not v or not string.match(v, '^%d+$') or #v > 15 then v = 0 else v = tonumber(v) end
      new[#new + 1] = f[k]
      new[#new + 1] = string.format('%.0f', v + add[k])
    end
    stats[i] = new
  end
end
local max = ARGV[6 + 9 * n]
local id
if max ~= '0' then
  id = redis.call('XADD', KEYS[2], 'MAXLEN', max, '*', 'r', ARGV[1], 'match', ARGV[2], 'server', ARGV[3], 'mode', ARGV[4])
else
  id = redis.call('XADD', KEYS[2], '*', 'r', ARGV[1], 'match', ARGV[2], 'server', ARGV[3], 'mode', ARGV[4])
end
redis.call('SET', KEYS[1], id)
for i = 1, n do
  local a = 5 + (i - 1) * 9
  redis.call('HSET', KEYS[2 + i], 'rating', ARGV[a + 2], 'deviation', ARGV[a + 3], 'volatility', ARGV[a + 4],
             'matches', ARGV[a + 5])
  if stats[i] then redis.call('HSET', KEYS[2 + n + i], unpack(stats[i])) end
end
return id
)lua";

/// Entries read per XRANGE while paging through the stream.
constexpr std::size_t kStreamBatch = 256;

std::string format_double(double v) {
  // %.17g round-trips every double exactly (shared_keys / REDIS.md).
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

/// The fields of one `rating:{account}` HMGET (rating, deviation,
/// volatility, matches). False if any is missing or out of the range the
/// store ever writes.
bool parse_rating(const redisReply* fields, Rating& out) {
  if (reply::size(fields) != 4) return false;
  for (std::size_t i = 0; i < 4; ++i) {
    if (!reply::is_string(reply::at(fields, i))) return false;
  }
  Rating r;
  if (!parse_decimal(reply::str(reply::at(fields, 0)), r.rating) ||
      !parse_decimal(reply::str(reply::at(fields, 1)), r.deviation) ||
      !parse_decimal(reply::str(reply::at(fields, 2)), r.volatility) ||
      !parse_decimal(reply::str(reply::at(fields, 3)), r.matches)) {
    return false;
  }
  if (!std::isfinite(r.rating) || std::fabs(r.rating) > 100000.0) return false;
  if (!(r.deviation >= 30.0 && r.deviation <= 350.0)) return false;
  if (!(r.volatility >= 0.01 && r.volatility <= 0.2)) return false;
  out = r;
  return true;
}

bool all_nil(const redisReply* fields) {
  for (std::size_t i = 0; i < reply::size(fields); ++i) {
    if (reply::is_string(reply::at(fields, i)) || reply::is_integer(reply::at(fields, i))) return false;
  }
  return true;
}

/// Sleeps a random 0..attempt ms, so that two servers racing on the same
/// player do not retry in lockstep. Only the store worker thread waits.
void back_off(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::uniform_int_distribution<int> us(0, attempt * 1000);
  std::this_thread::sleep_for(std::chrono::microseconds(us(rng)));
}

}  // namespace

struct RedisStore::RatingsRead {
  bool already_applied = false;
  std::vector<Rating> ratings;          // one per row; Rating{} where none (or malformed)
  std::vector<std::string> versions;    // the raw `matches` field as read ('' = none)
};

StoreResult<RedisStore::RatingsRead> RedisStore::read_ratings(const MatchResult& result) {
  std::vector<std::vector<std::string>> commands;
  commands.push_back({"EXISTS", result_marker_key(result.match_id)});
  for (const ResultRow& row : result.rows) {
    commands.push_back({"HMGET", rating_key(row.account), "rating", "deviation", "volatility", "matches"});
  }
  std::unique_lock lock(mu_);
  round_trips_ += 1;
  auto replies = conn_.pipeline(commands);
  lock.unlock();
  if (!replies) return io_error<RatingsRead>(replies.error());
  RatingsRead out;
  out.already_applied = (*replies)[0].integer() == 1;
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    const RedisReply& fields = (*replies)[i + 1];
    if (fields.is_error()) {
      // e.g. WRONGTYPE: the script would fail the same way; retry later.
      return core::Err{StoreError{describe() + ": " + std::string(fields.str()), StoreError::Kind::Io}};
    }
    Rating r;
    if (!all_nil(fields.get()) && !parse_rating(fields.get(), r)) {
      malformed_ += 1;  // a broken rating restarts from a fresh one
      r = Rating{};
    }
    const auto* matches = fields.at(3);
    out.versions.push_back(reply::is_string(matches) ? std::string(reply::str(matches)) : std::string());
    out.ratings.push_back(r);
  }
  return out;
}

StoreResult<Rating> RedisStore::rating(AccountId account) {
  if (account == 0) return core::Err{invalid_argument("account 0")};
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.command({"HMGET", rating_key(account), "rating", "deviation", "volatility", "matches"});
  if (!r) return io_error<Rating>(r.error());
  Rating out;
  if (!all_nil(r->get()) && !parse_rating(r->get(), out)) {
    malformed_ += 1;
    return Rating{};
  }
  return out;
}

StoreResult<bool> RedisStore::submit_result(const MatchResult& result) {
  if (auto problem = result_problem(result)) {
    return core::Err{invalid_argument("result refused: " + *problem)};
  }
  const std::size_t n = result.rows.size();
  std::vector<std::string> keys{result_marker_key(result.match_id), results_key()};
  for (const ResultRow& row : result.rows) keys.push_back(rating_key(row.account));
  for (const ResultRow& row : result.rows) keys.push_back(botstats_key(row.account));
  for (const ResultRow& row : result.rows) keys.push_back(garage_key(row.account));

  for (int attempt = 1; attempt <= kMaxSubmitAttempts; ++attempt) {
    auto read = read_ratings(result);
    if (!read) return core::Err{read.error()};
    if (read->already_applied) return false;

    std::vector<RatedPlayer> players;
    players.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      players.push_back({read->ratings[i], result.rows[i].team, result.rows[i].placement});
    }
    const std::vector<Rating> after = rate_match(players);

    std::vector<std::string> args{encode_result(result), std::to_string(result.match_id), result.server_id,
                                  result.mode, std::to_string(n)};
    args.reserve(6 + 9 * n);
    for (std::size_t i = 0; i < n; ++i) {
      const ResultRow& row = result.rows[i];
      args.push_back(read->versions[i]);
      args.push_back(format_double(after[i].rating));
      args.push_back(format_double(after[i].deviation));
      args.push_back(format_double(after[i].volatility));
      args.push_back(std::to_string(after[i].matches));
      args.push_back(std::to_string(row.bot_id));
      args.push_back(row.placement == 1 ? "1" : "0");
      args.push_back(std::to_string(row.kills));
      args.push_back(std::to_string(row.deaths));
    }
    args.push_back(std::to_string(results_max_));
    std::unique_lock lock(mu_);
    round_trips_ += 1;
    auto r = conn_.eval(kSubmitResultScript, keys, args);
    lock.unlock();
    if (!r) {
      // Also a script error (a key of the wrong type) is "retry later", not
      // Invalid: the result itself is valid and must not be dropped.
      return core::Err{StoreError{describe() + ": " + r.error().message, StoreError::Kind::Io}};
    }
    if (!r->is_string()) {
      return core::Err{StoreError{describe() + ": submit script returned no status", StoreError::Kind::Io}};
    }
    if (r->str() == "duplicate") return false;
    if (r->str() != "retry") return true;  // the stream entry id
    result_retries_ += 1;
    back_off(attempt);  // another result for one of these players committed first
  }
  return core::Err{StoreError{describe() + ": match " + std::to_string(result.match_id) + ": ratings changed " +
                                  std::to_string(kMaxSubmitAttempts) + " times while rating it",
                              StoreError::Kind::Io}};
}

StoreResult<std::vector<MatchResult>> RedisStore::results(std::size_t after, std::size_t count) {
  std::vector<MatchResult> out;
  std::size_t skipped = 0;  // valid entries before `after`
  std::string start = "-";
  while (out.size() < count) {
    const std::string batch = std::to_string(kStreamBatch);
    std::unique_lock lock(mu_);
    round_trips_ += 1;
    auto r = conn_.command({"XRANGE", results_key(), start, "+", "COUNT", batch});
    lock.unlock();
    if (!r) return io_error<std::vector<MatchResult>>(r.error());
    if (!r->is_array()) {
      malformed_ += 1;
      return out;
    }
    const std::string batch_start = start;
    for (std::size_t i = 0; i < r->size() && out.size() < count; ++i) {
      // Entry: [id, [field, value, ...]]; the encoded result is field `r`.
      const redisReply* entry = r->at(i);
      const redisReply* id = reply::at(entry, 0);
      const redisReply* fields = reply::at(entry, 1);
      if (!reply::is_string(id)) {
        malformed_ += 1;
        continue;
      }
      start = "(" + std::string(reply::str(id));
      std::optional<MatchResult> decoded;
      for (std::size_t f = 0; f + 1 < reply::size(fields); f += 2) {
        if (reply::str(reply::at(fields, f)) != "r" || !reply::is_string(reply::at(fields, f + 1))) continue;
        auto d = decode_result(reply::str(reply::at(fields, f + 1)));
        if (d) decoded = std::move(*d);
        break;
      }
      if (!decoded) {
        malformed_ += 1;
        continue;
      }
      if (skipped < after) {
        ++skipped;
        continue;
      }
      out.push_back(std::move(*decoded));
    }
    // The end of the stream, or a batch without one usable entry id (only
    // a broken reply; without this check it would be read forever).
    if (r->size() < kStreamBatch || start == batch_start) break;
  }
  return out;
}

}  // namespace qbot::server
