#include "server/store/result_codec.h"

#include <set>

#include "server/store/byte_codec.h"

namespace qbot::server {
namespace {
constexpr std::uint8_t kVersion = 1;
}  // namespace

std::optional<std::string> result_problem(const MatchResult& result) {
  if (result.match_id == 0) return "match id 0";
  if (!valid_server_id(result.server_id)) return "invalid server id";
  if (!valid_mode(result.mode)) return "unknown mode '" + result.mode + "'";
  if (result.rows.size() > kMaxResultRows)
    return std::to_string(result.rows.size()) + " rows (max " + std::to_string(kMaxResultRows) + ")";
  std::set<AccountId> seen;
  for (const ResultRow& row : result.rows) {
    if (row.account == 0) return "row with account 0";
    if (!seen.insert(row.account).second) return "account " + std::to_string(row.account) + " twice";
    if (row.placement == 0) return "placement 0 for account " + std::to_string(row.account);
  }
  return std::nullopt;
}

std::string encode_result(const MatchResult& result) {
  ByteWriter w;
  w.u8(kVersion);
  w.u64(result.match_id);
  w.str8(result.server_id);
  w.str8(result.mode);
  w.u64(result.ended_ms);
  w.u8(result.winner_team);
  w.u8(static_cast<std::uint8_t>(result.rows.size()));
  for (const ResultRow& row : result.rows) {
    w.u64(row.account);
    w.u32(row.bot_id);
    w.u8(row.team);
    w.u32(row.kills);
    w.u32(row.deaths);
    w.u32(row.damage);
    w.u32(static_cast<std::uint32_t>(row.score));
    w.u8(row.placement);
  }
  return w.take();
}

core::Result<MatchResult, std::string> decode_result(std::string_view bytes) {
  if (bytes.size() > kMaxEncodedResult) return core::Err{std::string("longer than any result")};
  ByteReader r(bytes);
  const std::uint8_t version = r.u8();
  if (!r.ok()) return core::Err{std::string("empty")};
  if (version != kVersion) return core::Err{"unknown version " + std::to_string(version)};
  MatchResult out;
  out.match_id = r.u64();
  out.server_id = r.str8(kMaxServerIdBytes, "server id");
  out.mode = r.str8(kMaxModeBytes, "mode");
  out.ended_ms = r.u64();
  out.winner_team = r.u8();
  const std::size_t rows = r.u8();
  if (!r.ok()) return core::Err{std::string("truncated header")};
  if (rows > kMaxResultRows)
    return core::Err{std::to_string(rows) + " rows (max " + std::to_string(kMaxResultRows) + ")"};
  out.rows.resize(rows);
  for (ResultRow& row : out.rows) {
    row.account = r.u64();
    row.bot_id = r.u32();
    row.team = r.u8();
    row.kills = r.u32();
    row.deaths = r.u32();
    row.damage = r.u32();
    row.score = static_cast<std::int32_t>(r.u32());
    row.placement = r.u8();
  }
  if (!r.ok()) return core::Err{std::string("truncated rows")};
  if (r.finish()) return core::Err{std::string("trailing bytes")};
  if (auto problem = result_problem(out)) return core::Err{*problem};
  return out;
}

}  // namespace qbot::server
