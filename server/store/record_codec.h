#pragma once
// Garage bots, tickets and match assignments <-> compact binary, the values
// RedisStore keeps (docs/REDIS.md "Garage" and "Tickets, queues and
// matches"), and the range rules both stores enforce on them (with the
// errors they return, so MemoryStore and RedisStore answer alike).
//
// Encoding (little-endian; str8 = length u8 + bytes, str16 = length u16 + bytes):
//   header:  version u8 (=1) | kind u8 ('B' bot, 'T' ticket, 'M' match)
//   bot body: name str8 | chassis str8 | primary str8 | secondary str8 | module str8 | paint u32
//   bot:     header | bot body                       (no id, no stats: see encode_bot)
//   ticket:  header | account u64 | mode str8 | region str8 | bot id u32 | bot body
//            | rating f64 | party str8 | party_size u8 | front_door str8 | created_ms u64
//   match:   header | id u64 | mode str8 | region str8 | server_id str8 | host str8
//            | port u16 | created_ms u64 | slot count u8
//            | slots: account u64 | team u8 | bot id u32 | bot body | rating f64 | token str16
// Decoding is verification: the bytes come from Redis and are hostile until
// every length, count and range rule below has passed (truncation, trailing
// bytes, another version or kind are refused too). Nothing throws.
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "server/store/store_types.h"

namespace qbot::server {

constexpr std::size_t kMaxModeBytes = 16;                            // longer than any valid mode
constexpr std::size_t kMaxPartIdBytes = 32;                          // catalog part ids
constexpr std::size_t kMaxRegionBytes = 32;                          // also party codes
constexpr std::size_t kMaxServerIdBytes = proto::kMaxServerIdBytes;  // valid_server_id
constexpr std::size_t kMaxHostBytes = 253;                           // a DNS name
constexpr std::size_t kMaxTokenBytes = 256;                          // signed join token
constexpr std::size_t kMaxMatchSlots = proto::kMaxArenaPlayers;      // one seat per arena player
/// How long both stores keep a match record after its assignment: far longer
/// than any match, short enough that records do not pile up.
constexpr std::uint32_t kMatchRecordTtlMs = 24u * 60 * 60 * 1000;

/// "ffa" or "tdm" (used in queue keys).
bool valid_mode(std::string_view mode);
/// 1..32 of [A-Za-z0-9._-] (used in queue keys).
bool valid_region(std::string_view region);

/// Why the bot cannot be stored, or nullopt: name at most
/// sim::kMaxBotNameBytes, each part id at most kMaxPartIdBytes. (Whether the
/// parts exist is the catalog's business, not the store's.)
std::optional<std::string> bot_problem(const BotRecord& bot);
/// Account nonzero, valid mode and region, bot_problem, finite rating, party
/// 0..32 of [A-Za-z0-9._-], party_size 1..kMaxPartySize and 1 when solo,
/// front_door empty or a valid server id.
std::optional<std::string> ticket_problem(const Ticket& ticket);
/// Id nonzero, valid mode, region and server id, host at most 253 bytes,
/// 1..64 slots with nonzero distinct accounts, bot_problem, finite ratings,
/// tokens at most 256 bytes.
std::optional<std::string> match_problem(const MatchAssignment& match);

/// The error both stores return when an argument breaks one of the rules
/// above (or names no record: account 0, bot id 0, ttl 0).
inline StoreError invalid_argument(std::string why) { return StoreError{std::move(why), StoreError::Kind::Invalid}; }
/// The errors both stores return for a bot that is not in the garage, a
/// full garage, and a second ticket.
inline StoreError no_such_bot(std::uint32_t id) {
  return StoreError{"no bot " + std::to_string(id), StoreError::Kind::NotFound};
}
inline StoreError garage_full(std::uint32_t max_bots) {
  return StoreError{"garage full (" + std::to_string(max_bots) + " bots)", StoreError::Kind::Limit};
}
inline StoreError ticket_held(AccountId account) {
  return StoreError{"account " + std::to_string(account) + " already holds a ticket", StoreError::Kind::Conflict};
}

/// `text` as an unsigned decimal that fits T: digits only (leading zeros
/// allowed), no sign, space or suffix. For numbers read back from Redis.
template <class T>
bool parse_decimal(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

/// Name, parts and paint of a bot. Not its id (a garage keeps it as the
/// hash field; tickets and matches carry it beside the body) nor its stats
/// (kept apart, written by results). Precondition: bot_problem is nullopt.
std::string encode_bot(const BotRecord& bot);
/// A bot with id 0 and zero stats, or why the bytes are not one.
core::Result<BotRecord, std::string> decode_bot(std::string_view bytes);

/// Precondition: ticket_problem is nullopt.
std::string encode_ticket(const Ticket& ticket);
core::Result<Ticket, std::string> decode_ticket(std::string_view bytes);

/// Precondition: match_problem is nullopt.
std::string encode_match(const MatchAssignment& match);
core::Result<MatchAssignment, std::string> decode_match(std::string_view bytes);

}  // namespace qbot::server
