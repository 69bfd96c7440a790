#include "server/matchmade/hosted_matches.h"

#include <algorithm>

#include "proto/version.h"

namespace qbot::server {

HostedMatch* HostedMatches::add(MatchAssignment assignment, std::chrono::nanoseconds join_deadline) {
  const MatchId id = assignment.id;
  auto [it, fresh] = matches_.try_emplace(id);
  if (!fresh) return nullptr;
  it->second.assignment = std::move(assignment);
  it->second.join_deadline = join_deadline;
  return &it->second;
}

HostedMatch* HostedMatches::find(MatchId id) {
  auto it = matches_.find(id);
  return it == matches_.end() ? nullptr : &it->second;
}

core::Result<Admission, JoinRefusal> HostedMatches::admit(std::span<const std::uint8_t> token, std::uint64_t unix_ms) {
  using proto::RejectReason;
  auto claims = token::verify_join(key_, token, unix_ms);
  if (!claims) {
    const bool expired = claims.error() == token::TokenError::Expired;
    return core::Err{JoinRefusal{expired ? RejectReason::TokenExpired : RejectReason::InvalidToken,
                                 std::string("join token ") + token::to_string(claims.error()), false}};
  }
  const token::JoinClaims& c = claims.value();
  if (c.protocol_version != proto::kProtocolVersion) {
    return core::Err{JoinRefusal{RejectReason::InvalidToken,
                                 "join token is for protocol " + std::to_string(c.protocol_version), false}};
  }
  if (c.server_id != server_id_) {
    return core::Err{JoinRefusal{RejectReason::WrongServer, "join token is for server " + c.server_id, false}};
  }
  HostedMatch* match = find(c.match_id);
  if (match == nullptr) {
    return core::Err{
        JoinRefusal{RejectReason::WrongMatch, "match " + std::to_string(c.match_id) + " is not hosted here", true}};
  }
  const auto& slots = match->assignment.slots;
  const auto slot =
      std::find_if(slots.begin(), slots.end(), [&](const MatchSlot& s) { return s.account == c.account_id; });
  if (slot == slots.end()) {
    return core::Err{JoinRefusal{RejectReason::WrongMatch, "account has no seat in this match", false}};
  }
  // Single use, checked last: a token refused for another reason is not spent.
  if (!used_.first_use(c.match_id, c.account_id, c.expires_ms, unix_ms)) {
    return core::Err{JoinRefusal{RejectReason::TokenReplayed, "join token already used", false}};
  }
  match->joined += 1;
  return Admission{match, &*slot};
}

std::uint32_t HostedMatches::open_seats() const {
  std::uint32_t open = 0;
  for (const auto& [id, m] : matches_) {
    const std::size_t seats = m.assignment.slots.size();
    open += static_cast<std::uint32_t>(seats > m.joined ? seats - m.joined : 0);
  }
  return open;
}

MatchResult store_result(const MatchAssignment& assignment, const proto::MatchEnded& ended,
                         const std::vector<ArenaPlayer>& players, std::uint64_t unix_ms) {
  MatchResult r;
  r.match_id = assignment.id;
  r.server_id = assignment.server_id;
  r.mode = assignment.mode;
  r.ended_ms = unix_ms;
  r.winner_team = ended.winner_team;
  for (const proto::PlayerResult& row : ended.results) {
    if (row.account_id == 0) continue;
    const auto p = std::find_if(players.begin(), players.end(),
                                [&](const ArenaPlayer& q) { return q.player_id == row.player_id; });
    ResultRow out;
    out.account = row.account_id;
    out.bot_id = p != players.end() ? p->bot_id : 0;
    out.team = row.team;
    out.kills = row.kills;
    out.deaths = row.deaths;
    out.damage = row.damage;
    out.score = row.score;
    out.placement = row.placement;
    r.rows.push_back(out);
  }
  return r;
}

}  // namespace qbot::server
