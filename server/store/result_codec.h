#pragma once
// MatchResult <-> compact binary, the one encoding used for the results
// stream entry (docs/REDIS.md "Results and ratings") and for journal files
// (result_journal.h). Little-endian, strings length-prefixed:
//   version u8 (=1) | match_id u64 | server_id len u8 + bytes | mode len u8 + bytes
//   | ended_ms u64 | winner_team u8 | row count u8
//   | rows: account u64, bot_id u32, team u8, kills u32, deaths u32,
//           damage u32, score i32, placement u8
// Decoding is verification: bytes come from Redis or from disk and are
// hostile until every length, count and range check has passed.
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "server/store/record_codec.h"
#include "server/store/store_types.h"

namespace qbot::server {

constexpr std::size_t kMaxResultRows = kMaxMatchSlots;  // one row per seat
/// No valid encoding is longer (64 rows, a 64-byte server id).
constexpr std::size_t kMaxEncodedResult = 2048;

/// Why `result` is not a storable result, or nullopt if it is: match id
/// nonzero, valid server id (1..64 of [A-Za-z0-9._-]), a valid mode
/// (record_codec.h: ffa, tdm), at most 64 rows, accounts nonzero and
/// distinct, placements >= 1. Stores refuse such results (Invalid);
/// decoding refuses them too.
std::optional<std::string> result_problem(const MatchResult& result);

/// The bytes of a result. Precondition: result_problem(result) is nullopt
/// (longer strings or more rows would not fit their length prefixes).
std::string encode_result(const MatchResult& result);

/// The result, or why the bytes are not one: wrong version, truncated,
/// trailing bytes, or any range of result_problem violated.
core::Result<MatchResult, std::string> decode_result(std::string_view bytes);

}  // namespace qbot::server
