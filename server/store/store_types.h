#pragma once
// The records the Store keeps. Plain values; every field's range is part of
// the contract (stores refuse or skip what is out of range when reading back).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/result.h"
#include "core/text.h"
#include "proto/limits.h"
#include "sim/loadout.h"

namespace qbot::server {

struct StoreError {
  enum class Kind : std::uint8_t {
    Io,        // Redis unreachable / timed out: retry later
    NotFound,  // the bot / ticket / match does not exist
    Conflict,  // e.g. the account already holds a ticket
    Limit,     // e.g. garage full
    Invalid,   // an argument out of range (id format, sizes)
  };
  std::string message;
  Kind kind = Kind::Io;
};

template <class T>
using StoreResult = core::Result<T, StoreError>;

/// What a record read back from the store was, for the counts of hostile or
/// broken ones (StoreHealth). Metric label values: record_kind_name.
enum class RecordKind : std::uint8_t { Registry, Ticket, Match, Inbox, Result, Rating, Garage, MatchIds };
constexpr std::size_t kRecordKindCount = 8;
constexpr const char* record_kind_name(RecordKind k) {
  constexpr const char* kNames[kRecordKindCount] = {"registry", "ticket", "match",  "inbox",
                                                    "result",   "rating", "garage", "match_ids"};
  return kNames[static_cast<std::size_t>(k)];
}

/// Hostile or broken records a store met since it was created. Each one was
/// skipped (never used: a forged server gets no match), repaired (a ticket
/// put back in its queue) or replaced (a key of another type where ours
/// belongs), and counted here; `last_problem` says which key and why.
struct StoreHealth {
  std::array<std::uint64_t, kRecordKindCount> rejected{};  // by RecordKind
  std::uint64_t tickets_repaired = 0;                      // waiting tickets put back into their queue
  std::uint64_t problems = 0;  // every rejection and repair; grows with each new last_problem
  std::string last_problem;    // printable (untrusted parts quoted)
  std::uint64_t rejected_total() const {
    std::uint64_t n = 0;
    for (const auto v : rejected) n += v;
    return n;
  }
};

/// The largest match id a store hands out: 2^53 - 1, so JSON tools (doubles)
/// show every id exactly.
constexpr MatchId kMaxMatchId = (MatchId{1} << 53) - 1;

/// One server process as advertised in the registry.
struct ServerInfo {
  std::string id;          // unique per process, [A-Za-z0-9._-]{1,64}
  std::string host;        // address clients connect to
  std::uint16_t port = 0;  // UDP game port
  std::string region;
  std::uint32_t capacity = 0;  // player slots
  std::uint32_t players = 0;   // players now (including matches assigned but not yet joined)
  std::uint32_t arenas = 0;
  std::string version;             // build version
  std::string key_fingerprint;     // token::key_fingerprint of its token key ("" from servers that predate it)
  std::uint64_t heartbeat_ms = 0;  // store time of the last heartbeat (filled by the store)
  // Seat accounting between heartbeats, so that matchmakers never overbook:
  // assign_matches records each match's seats as pending on its server
  // until a heartbeat says `players` counts them (or kPendingSeatsMs pass).
  std::uint32_t pending_seats = 0;       // live_servers: seats assigned here that `players` does not count yet
  std::vector<MatchId> counted_matches;  // heartbeat: matches whose seats `players` counts (clears them as pending)

  friend bool operator==(const ServerInfo&, const ServerInfo&) = default;
};

/// A registry entry that is live by Redis's clock but whose tag does not
/// verify with our fleet key: sealed with another fleet's key, or forged.
/// Never matched; reported so a server sharing the registry with another
/// key still finds out (fleet_keys.h). `claimed_fingerprint` is what the
/// entry says (unauthenticated: shown to operators, trusted for nothing).
struct UnverifiedServer {
  std::string id;
  std::string claimed_fingerprint;  // "" if the entry has none
  friend bool operator==(const UnverifiedServer&, const UnverifiedServer&) = default;
};

/// The registry as one read sees it: the entries that count (live_servers)
/// and the live ones that fail the tag.
struct RegistryView {
  std::vector<ServerInfo> live;              // ascending id
  std::vector<UnverifiedServer> unverified;  // ascending id
};

/// How long seats of an assigned match stay pending on its server when no
/// heartbeat counts them (the server never took the match, or died): long
/// enough for many heartbeats, short enough not to strand capacity.
constexpr std::uint32_t kPendingSeatsMs = 30'000;

/// True if `id` is a valid server id (used in Redis keys): 1..64 of [A-Za-z0-9._-].
inline bool valid_server_id(std::string_view id) { return core::is_code(id, 1, proto::kMaxServerIdBytes); }

struct BotStats {
  std::uint32_t matches = 0;
  std::uint32_t wins = 0;  // placement 1
  std::uint32_t kills = 0;
  std::uint32_t deaths = 0;
  friend bool operator==(const BotStats&, const BotStats&) = default;
};

/// A Q-Bot in a player's garage.
struct BotRecord {
  std::uint32_t id = 0;         // per account, assigned by the store
  sim::LoadoutRequest loadout;  // name, parts (catalog ids), paint
  BotStats stats;
  friend bool operator==(const BotRecord&, const BotRecord&) = default;
};

/// Glicko-2 rating on the Glicko scale (see rating.h).
struct Rating {
  double rating = 1500.0;
  double deviation = 350.0;
  double volatility = 0.06;
  std::uint32_t matches = 0;
  friend bool operator==(const Rating&, const Rating&) = default;
};

/// A matchmaking ticket: one account waiting for a match. Party members
/// each hold their own ticket with the same `party` code and `party_size`;
/// the matchmaker places a party only when all of it is waiting, and then
/// in one match and one team.
struct Ticket {
  AccountId account = 0;
  std::string mode;              // "ffa" | "tdm"
  std::string region;            // [A-Za-z0-9._-]{1,32}
  BotRecord bot;                 // the bot to play (copied from the garage)
  double rating = 1500.0;        // the account's rating when queued
  std::string party;             // party code, "" = solo; [A-Za-z0-9._-]{0,32}
  std::uint8_t party_size = 1;   // 1..kMaxPartySize
  std::string front_door;        // server id holding the client's connection
  std::uint64_t created_ms = 0;  // store clock, filled by enqueue
  friend bool operator==(const Ticket&, const Ticket&) = default;
};

constexpr std::uint8_t kMaxPartySize = proto::kMaxPartySize;

/// One seat in an assigned match.
struct MatchSlot {
  AccountId account = 0;
  std::uint8_t team = 0;  // 0 in free-for-all, 1/2 in team modes
  BotRecord bot;
  double rating = 1500.0;
  std::string token;  // signed join token (bytes) for this account
  friend bool operator==(const MatchSlot&, const MatchSlot&) = default;
};

struct MatchAssignment {
  MatchId id = 0;
  std::string mode;
  std::string region;
  std::string server_id;
  std::string host;
  std::uint16_t port = 0;
  std::uint64_t created_ms = 0;  // matchmaker's clock
  std::vector<MatchSlot> slots;
  friend bool operator==(const MatchAssignment&, const MatchAssignment&) = default;
};

enum class TicketState : std::uint8_t { Waiting, Assigned };

struct TicketStatus {
  TicketState state = TicketState::Waiting;
  std::uint32_t position = 0;  // waiting: 0-based place in its queue
  std::uint32_t queue_length = 0;
  std::uint64_t created_ms = 0;
  // Assigned only:
  MatchId match_id = 0;
  std::string host;
  std::uint16_t port = 0;
  std::string token;
};

/// One player's line of a finished match.
struct ResultRow {
  AccountId account = 0;
  std::uint32_t bot_id = 0;
  std::uint8_t team = 0;
  std::uint32_t kills = 0;
  std::uint32_t deaths = 0;
  std::uint32_t damage = 0;
  std::int32_t score = 0;
  std::uint8_t placement = 0;  // 1 = best (shared placements mean a draw)
  friend bool operator==(const ResultRow&, const ResultRow&) = default;
};

struct MatchResult {
  MatchId match_id = 0;
  std::string server_id;
  std::string mode;
  std::uint64_t ended_ms = 0;  // server clock
  std::uint8_t winner_team = 0;
  std::vector<ResultRow> rows;  // at most 64
  friend bool operator==(const MatchResult&, const MatchResult&) = default;
};

}  // namespace qbot::server
