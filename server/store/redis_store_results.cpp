// Results and ratings on Redis: submit_result (read ratings, rate in C++,
// commit by lua/submit_result.lua if nobody changed them meanwhile), rating
// and results. Layout: docs/REDIS.md "Results and ratings".
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <thread>

#include "qbot/store/lua_scripts.h"
#include "server/store/rating.h"
#include "server/store/record_codec.h"
#include "server/store/record_tags.h"
#include "server/store/redis_store.h"
#include "server/store/result_codec.h"

namespace qbot::server {
namespace {

/// Entries read per XRANGE while paging through the stream.
constexpr std::size_t kStreamBatch = 256;
/// The longest random wait before retry `attempt` is attempt times this.
constexpr std::chrono::microseconds kBackOffPerAttempt{1000};
/// The submit script's arguments per result row (lua/submit_result.lua).
constexpr std::size_t kSubmitArgsPerRow = 9;
/// How long a submit waits for replicas to acknowledge (--redis-wait-replicas).
constexpr const char* kReplicaWaitMs = "500";

std::string format_double(double v) {
  // %.17g round-trips every double exactly (shared_keys / REDIS.md).
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

/// A key as the submit script sees it (lua/submit_result.lua `as_read`): ''
/// when absent, '!type' when of another type than `want`, else nullopt.
std::optional<std::string> as_read(const RedisReply& type, std::string_view want) {
  const std::string_view t = type.str();
  if (t == "none") return std::string();
  if (t != want) return "!" + std::string(t.substr(0, 16));
  return std::nullopt;
}

/// What the submit script is told about the call: the result, the marker
/// as read and the one to write, per row the `matches` version read, the
/// new rating and the row's stats, then the stream's length bound.
struct SubmitCall {
  const MatchResult& result;
  const std::string& bytes;
  const std::string& marker_read;
  const std::string& marker_new;
  std::span<const std::string> versions;
  std::span<const Rating> after;
  std::size_t stream_max;
};

std::vector<std::string> submit_args(const SubmitCall& c) {
  const std::size_t n = c.result.rows.size();
  std::vector<std::string> args{c.bytes,
                                std::to_string(c.result.match_id),
                                c.result.server_id,
                                c.result.mode,
                                std::to_string(n),
                                c.marker_read,
                                c.marker_new};
  args.reserve(args.size() + kSubmitArgsPerRow * n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    const ResultRow& row = c.result.rows[i];
    args.push_back(c.versions[i]);
    args.push_back(format_double(c.after[i].rating));
    args.push_back(format_double(c.after[i].deviation));
    args.push_back(format_double(c.after[i].volatility));
    args.push_back(std::to_string(c.after[i].matches));
    args.push_back(std::to_string(row.bot_id));
    args.push_back(row.placement == 1 ? "1" : "0");
    args.push_back(std::to_string(row.kills));
    args.push_back(std::to_string(row.deaths));
  }
  args.push_back(std::to_string(c.stream_max));
  return args;
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
  enum class Marker : std::uint8_t { None, Same, Other };
  Marker marker = Marker::None;       // None also when the marker found is not ours (it is replaced)
  std::string marker_read;            // as the script will compare it
  std::vector<Rating> ratings;        // one per row; Rating{} where none (or malformed)
  std::vector<std::string> versions;  // the `matches` version as the script will compare it
};

/// Reads the marker and every player's rating in one round trip and decides
/// what the marker says: not applied (absent, or a value no server of this
/// fleet wrote: counted, then replaced), applied with this very content, or
/// applied with another.
StoreResult<RedisStore::RatingsRead> RedisStore::read_ratings(const MatchResult& result, const std::string& digest) {
  const std::string marker_key = result_marker_key(result.match_id);
  std::vector<std::vector<std::string>> commands{{"TYPE", marker_key}, {"GET", marker_key}};
  for (const ResultRow& row : result.rows) {
    commands.push_back({"TYPE", rating_key(row.account)});
    commands.push_back({"HMGET", rating_key(row.account), "rating", "deviation", "volatility", "matches"});
  }
  auto replies = run_pipeline(commands);
  if (!replies) return io_error<RatingsRead>(replies.error());
  RatingsRead out;
  const auto marker_type = as_read((*replies)[0], "string");
  out.marker_read = marker_type ? *marker_type : std::string((*replies)[1].str());
  if (!out.marker_read.empty()) {
    auto m = marker_type ? core::Err{std::string("a ") + std::string((*replies)[0].str()) + ", not a string"}
                         : replies::parse_marker(out.marker_read);
    if (m && tags::marker_ok(seal_, result.match_id, token::to_hex(m->digest), m->tag)) {
      out.marker = token::to_hex(m->digest) == digest ? RatingsRead::Marker::Same : RatingsRead::Marker::Other;
    } else {
      reject(RecordKind::Result, "marker " + marker_key + " is not ours (" +
                                     (m ? std::string("tag does not verify") : m.error()) + "); replaced");
    }
  }
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    const auto type = as_read((*replies)[2 + 2 * i], "hash");
    const RedisReply& fields = (*replies)[3 + 2 * i];
    Rating r;
    auto parsed = type ? core::Result<std::optional<Rating>, std::string>(std::optional<Rating>{})
                       : replies::parse_rating(fields.get());
    if (type && !type->empty()) parsed = core::Err{"a " + type->substr(1) + ", not a hash"};
    if (!parsed) {
      reject(RecordKind::Rating, rating_key(result.rows[i].account) + ": " + parsed.error() + "; rated afresh");
    } else if (*parsed) {
      r = **parsed;
    }
    const auto* matches = fields.at(3);
    out.versions.push_back(type ? *type : std::string(reply::is_string(matches) ? reply::str(matches) : ""));
    out.ratings.push_back(r);
  }
  return out;
}

/// With --redis-wait-replicas, a result counts as stored only once that
/// many replicas acknowledged everything the primary holds up to now (a
/// fence write, then WAIT, on the connection that read or wrote the
/// marker). Otherwise Io: the caller keeps the result journaled and a later
/// delivery finds it applied and confirms it then: true (applied) if this
/// store wrote it (unconfirmed_), false (a duplicate) if it cannot know,
/// e.g. after a restart.
StoreResult<bool> RedisStore::confirm_replicated(const MatchResult& result, bool applied_now) {
  if (wait_replicas_ == 0) return applied_now;
  // Found applied: ours if an earlier call of this store wrote it unconfirmed.
  applied_now = forget_unconfirmed(result.match_id) || applied_now;
  const std::string want = std::to_string(wait_replicas_);
  auto r = run_pipeline({{"INCR", prefix_ + "fence"}, {"WAIT", want, kReplicaWaitMs}});
  if (!r) {
    if (applied_now) remember_unconfirmed(result.match_id);
    return io_error<bool>(r.error());
  }
  const long long acked = (*r)[1].is_integer() ? (*r)[1].integer() : -1;
  if (acked < static_cast<long long>(wait_replicas_)) {
    if (applied_now) remember_unconfirmed(result.match_id);
    return io_error<bool>(RedisError{"match " + std::to_string(result.match_id) + ": on the primary, but " +
                                         std::to_string(std::max(acked, 0LL)) + " of " + want +
                                         " replica(s) acknowledged within " + kReplicaWaitMs + " ms",
                                     false});
  }
  return applied_now;
}

void RedisStore::remember_unconfirmed(MatchId id) {
  const std::lock_guard lock(unconfirmed_mu_);
  if (std::find(unconfirmed_.begin(), unconfirmed_.end(), id) != unconfirmed_.end()) return;
  if (unconfirmed_.size() == kMaxUnconfirmed) unconfirmed_.pop_front();
  unconfirmed_.push_back(id);
}

bool RedisStore::forget_unconfirmed(MatchId id) {
  const std::lock_guard lock(unconfirmed_mu_);
  const auto it = std::find(unconfirmed_.begin(), unconfirmed_.end(), id);
  if (it == unconfirmed_.end()) return false;
  unconfirmed_.erase(it);
  return true;
}

StoreResult<Rating> RedisStore::rating(AccountId account) {
  if (account == 0) return core::Err{invalid_argument("account 0")};
  auto r = run_command({"HMGET", rating_key(account), "rating", "deviation", "volatility", "matches"});
  if (!r) return io_error<Rating>(r.error());
  auto parsed = replies::parse_rating(r->get());
  if (!parsed) {
    reject(RecordKind::Rating, rating_key(account) + ": " + parsed.error());
    return Rating{};
  }
  return parsed->value_or(Rating{});
}

StoreResult<bool> RedisStore::submit_result(const MatchResult& result) {
  if (auto problem = result_problem(result)) {
    return core::Err{invalid_argument("result refused: " + *problem)};
  }
  const std::size_t n = result.rows.size();
  const std::string bytes = encode_result(result);
  const std::string digest = token::to_hex(token::digest(bytes));
  const std::string marker_new = digest + ":" + tags::marker(seal_, result.match_id, digest);
  std::vector<std::string> keys{result_marker_key(result.match_id), results_key()};
  for (const ResultRow& row : result.rows) keys.push_back(rating_key(row.account));
  for (const ResultRow& row : result.rows) keys.push_back(botstats_key(row.account));
  for (const ResultRow& row : result.rows) keys.push_back(garage_key(row.account));

  for (int attempt = 1; attempt <= kMaxSubmitAttempts; ++attempt) {
    auto read = read_ratings(result, digest);
    if (!read) return core::Err{read.error()};
    if (read->marker == RatingsRead::Marker::Same) return confirm_replicated(result, false);
    if (read->marker == RatingsRead::Marker::Other) {
      return core::Err{StoreError{"match " + std::to_string(result.match_id) +
                                      ": another result is already applied under this id (" +
                                      read->marker_read.substr(0, 16) + "...); this one is refused",
                                  StoreError::Kind::Conflict}};
    }
    std::vector<RatedPlayer> players;
    players.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      players.push_back({read->ratings[i], result.rows[i].team, result.rows[i].placement});
    }
    const std::vector<Rating> after = rate_match(players);
    const auto args = submit_args({result, bytes, read->marker_read, marker_new, read->versions, after, results_max_});
    auto r = run_script(lua::kSubmitResult, keys, args);
    if (!r) {
      // Also a script error (a stream key of the wrong type) is "retry
      // later", not Invalid: the result itself is valid and must not be dropped.
      return core::Err{StoreError{describe() + ": " + r.error().message, StoreError::Kind::Io}};
    }
    const bool shaped = note_problems(*r, RecordKind::Result);
    const std::string_view status = shaped ? reply::str(r->at(1)) : std::string_view{};
    if (status == "applied") return confirm_replicated(result, true);
    if (status != "retry") {
      return core::Err{StoreError{describe() + ": submit script returned no status", StoreError::Kind::Io}};
    }
    result_retries_ += 1;
    back_off(attempt);  // another result for one of these players (or this match) committed first
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
      reject(RecordKind::Result, "XRANGE reply is not a list");
      return out;
    }
    const std::string batch_start = start;
    for (std::size_t i = 0; i < r->size() && out.size() < count; ++i) {
      // Entry: [id, [field, value, ...]]; the encoded result is field `r`.
      const redisReply* entry = r->at(i);
      const redisReply* id = reply::at(entry, 0);
      const redisReply* fields = reply::at(entry, 1);
      if (!reply::is_string(id)) {
        reject(RecordKind::Result, "stream entry without an id");
        continue;
      }
      start = "(" + std::string(reply::str(id));
      auto bytes = replies::stream_result(fields);
      auto decoded = bytes ? decode_result(*bytes) : core::Err{bytes.error()};
      if (!decoded) {
        reject(RecordKind::Result, "stream entry " + std::string(reply::str(id)) + ": " + decoded.error());
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
