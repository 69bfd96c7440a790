// Results and ratings on Redis: submit_result (read ratings, rate in C++,
// commit by lua/submit_result.lua if nobody changed them meanwhile), rating
// and results. Layout: docs/REDIS.md "Results and ratings".
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <thread>

#include "qbot/store/lua_scripts.h"
#include "server/store/rating.h"
#include "server/store/record_codec.h"
#include "server/store/redis_store.h"
#include "server/store/result_codec.h"

namespace qbot::server {
namespace {

/// Entries read per XRANGE while paging through the stream.
constexpr std::size_t kStreamBatch = 256;
/// No rating the Glicko-2 math writes comes near this far from 0: a stored
/// rating beyond it is hostile.
constexpr double kMaxStoredRatingMagnitude = 100'000.0;
/// The longest random wait before retry `attempt` is attempt times this.
constexpr std::chrono::microseconds kBackOffPerAttempt{1000};
/// The submit script's arguments per result row (lua/submit_result.lua).
constexpr std::size_t kSubmitArgsPerRow = 9;

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
  if (!std::isfinite(r.rating) || std::fabs(r.rating) > kMaxStoredRatingMagnitude) return false;
  if (!(r.deviation >= kMinDeviation && r.deviation <= kMaxDeviation)) return false;
  if (!(r.volatility >= kMinVolatility && r.volatility <= kMaxVolatility)) return false;
  out = r;
  return true;
}

/// The submit script's ARGV: the result, then per row the `matches` version
/// read, the new rating and the row's stats, then the stream's length bound.
std::vector<std::string> submit_args(const MatchResult& result, std::span<const std::string> versions,
                                     std::span<const Rating> after, std::size_t stream_max) {
  const std::size_t n = result.rows.size();
  std::vector<std::string> args{encode_result(result), std::to_string(result.match_id), result.server_id, result.mode,
                                std::to_string(n)};
  args.reserve(args.size() + kSubmitArgsPerRow * n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    const ResultRow& row = result.rows[i];
    args.push_back(versions[i]);
    args.push_back(format_double(after[i].rating));
    args.push_back(format_double(after[i].deviation));
    args.push_back(format_double(after[i].volatility));
    args.push_back(std::to_string(after[i].matches));
    args.push_back(std::to_string(row.bot_id));
    args.push_back(row.placement == 1 ? "1" : "0");
    args.push_back(std::to_string(row.kills));
    args.push_back(std::to_string(row.deaths));
  }
  args.push_back(std::to_string(stream_max));
  return args;
}

bool all_nil(const redisReply* fields) {
  for (std::size_t i = 0; i < reply::size(fields); ++i) {
    if (reply::is_string(reply::at(fields, i)) || reply::is_integer(reply::at(fields, i))) return false;
  }
  return true;
}

/// Sleeps a random 0..attempt x kBackOffPerAttempt, so that two servers racing on the same
/// player do not retry in lockstep. Only the store worker thread waits.
void back_off(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::uniform_int_distribution<std::chrono::microseconds::rep> us(0, attempt * kBackOffPerAttempt.count());
  std::this_thread::sleep_for(std::chrono::microseconds(us(rng)));
}

}  // namespace

struct RedisStore::RatingsRead {
  bool already_applied = false;
  std::vector<Rating> ratings;        // one per row; Rating{} where none (or malformed)
  std::vector<std::string> versions;  // the raw `matches` field as read ('' = none)
};

StoreResult<RedisStore::RatingsRead> RedisStore::read_ratings(const MatchResult& result) {
  std::vector<std::vector<std::string>> commands;
  commands.push_back({"EXISTS", result_marker_key(result.match_id)});
  for (const ResultRow& row : result.rows) {
    commands.push_back({"HMGET", rating_key(row.account), "rating", "deviation", "volatility", "matches"});
  }
  auto replies = run_pipeline(commands);
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
  auto r = run_command({"HMGET", rating_key(account), "rating", "deviation", "volatility", "matches"});
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

    const std::vector<std::string> args = submit_args(result, read->versions, after, results_max_);
    auto r = run_script(lua::kSubmitResult, keys, args);
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
    auto r = run_command({"XRANGE", results_key(), start, "+", "COUNT", batch});
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
