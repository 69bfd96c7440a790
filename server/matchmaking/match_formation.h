#pragma once
// Match formation: which waiting tickets of ONE queue (one mode, one region)
// play together, and on which team. A pure function: no I/O, no clock (time is
// `now_ms`, on the store's clock that stamped Ticket::created_ms), so the
// matchmaker can run it on whatever it read and tests can run it on anything.
//
// Units: a solo ticket, or a COMPLETE party: every ticket with the same party
// code, all agreeing on `party_size`, exactly `party_size` of them in the
// input. A party with a member missing (not queued yet, or beyond the fetch
// limit), with members that disagree on party_size, or with more tickets than
// its party_size, is incomplete and waits (until its tickets expire). A party
// that can never fit (larger than max_players, or than a team) waits the same.
// A unit is never split; its rating is the mean of its members'.
//
// Rating window: a group is built around an ANCHOR unit; units are tried as
// anchors oldest first. The anchor's window is
//   anchor rating ± (initial_window + widening_per_s × seconds the anchor waited)
// and a unit joins the group only if its rating lies in that window. Inside
// the window the closest ratings are taken first, up to max_players.
//
// A group becomes a match when it is full (max_players), or when it has at
// least min_players and its oldest ticket has waited fill_timeout_ms (a
// smaller match rather than waiting forever). Otherwise nobody in it is used
// and the units stay available to later anchors.
//
// Teams (teams = 2): equal team sizes; parties are never split; parties are
// placed first (largest first), then solos from the highest rating down, each
// onto the team with the lower rating sum that still has room.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "server/store/store_types.h"

namespace qbot::server {

/// Largest match the formation builds (an arena holds at most 64 players).
constexpr std::uint32_t kMaxMatchPlayers = static_cast<std::uint32_t>(proto::kMaxArenaPlayers);

struct FormationRules {
  std::uint32_t min_players = 2;           // 2..max_players
  std::uint32_t max_players = 8;           // ..kMaxMatchPlayers; even when teams = 2
  std::uint8_t teams = 0;                  // 0 = free-for-all (team 0), 2 = two teams (1 and 2)
  double initial_window = 150.0;           // rating points each side of the anchor, at 0 s waited
  double widening_per_s = 50.0;            // rating points added per second the anchor waited
  std::uint64_t fill_timeout_ms = 10'000;  // oldest ticket's wait after which >= min_players starts
};

/// True if form_matches can honour the rules (it forms nothing otherwise).
bool valid_rules(const FormationRules& rules);

/// Rules of a mode on servers whose arenas hold `arena_size` players:
/// "ffa" 2..arena_size, "tdm" 4..arena_size (rounded down to even) in two
/// teams. nullopt for an unknown mode or an arena too small for it.
std::optional<FormationRules> rules_for_mode(std::string_view mode, std::uint32_t arena_size);

struct FormedSeat {
  std::size_t ticket = 0;  // index into form_matches' input
  std::uint8_t team = 0;   // 0 in free-for-all, 1 or 2 in team modes
  friend bool operator==(const FormedSeat&, const FormedSeat&) = default;
};

struct FormedMatch {
  std::vector<FormedSeat> seats;
};

/// `tickets`: one queue's waiting tickets, oldest first (as waiting_tickets
/// returns them). Every ticket is in at most one returned match. Runs in
/// O(n log n) for n tickets (one sort by rating; each anchor looks at a
/// bounded number of neighbours).
std::vector<FormedMatch> form_matches(std::span<const Ticket> tickets, std::uint64_t now_ms,
                                      const FormationRules& rules);

}  // namespace qbot::server
