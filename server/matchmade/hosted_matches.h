#pragma once
// The matchmade matches this server hosts: assignments taken from its inbox,
// waiting for their players. Decides who a join token admits (signature,
// expiry, server, match, seat, single use) and turns a finished battle into
// the Store's MatchResult. Pure bookkeeping: no I/O, time is passed in.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "core/result.h"
#include "proto/messages.h"
#include "server/arena/arena.h"
#include "server/store/store_types.h"
#include "token/token.h"
#include "token/used_tokens.h"

namespace qbot::server {

struct HostedMatch {
  MatchAssignment assignment;
  ArenaId arena = 0;
  std::chrono::nanoseconds join_deadline{0};  // after this the battle starts with whoever came
  std::size_t joined = 0;                     // seats taken so far (a seat is taken once)
};

/// Why a join token was refused; `not_yet_known` means the match id is not
/// (yet) one of ours: the inbox may simply not have been read yet.
struct JoinRefusal {
  proto::RejectReason reason = proto::RejectReason::InvalidToken;
  std::string text;
  bool not_yet_known = false;
};

struct Admission {
  HostedMatch* match = nullptr;
  const MatchSlot* slot = nullptr;
};

class HostedMatches {
 public:
  HostedMatches(token::Key key, std::string server_id, std::size_t used_token_capacity = 100000)
      : key_(key), server_id_(std::move(server_id)), used_(used_token_capacity) {}

  /// Registers an assignment; false if this match id is already hosted.
  HostedMatch* add(MatchAssignment assignment, std::chrono::nanoseconds join_deadline);
  HostedMatch* find(MatchId id);
  void remove(MatchId id) { matches_.erase(id); }

  /// Checks a join token. On success the token is spent (a second use is
  /// TokenReplayed) and the seat is taken.
  core::Result<Admission, JoinRefusal> admit(std::span<const std::uint8_t> token, std::uint64_t unix_ms);

  /// Seats assigned to this server that nobody has taken yet (the registry
  /// advertises them as used, so matchmakers do not overbook).
  std::uint32_t open_seats() const;
  std::map<MatchId, HostedMatch>& all() { return matches_; }
  const std::map<MatchId, HostedMatch>& all() const { return matches_; }

 private:
  token::Key key_;
  std::string server_id_;
  token::UsedTokens used_;
  std::map<MatchId, HostedMatch> matches_;
};

/// The Store's record of a finished matchmade battle: one row per player
/// still in the arena, keyed by account (rows of unknown accounts are left
/// out: they cannot be rated).
MatchResult store_result(const MatchAssignment& assignment, const proto::MatchEnded& ended,
                         const std::vector<ArenaPlayer>& players, std::uint64_t unix_ms);

}  // namespace qbot::server
