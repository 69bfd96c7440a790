#pragma once
// Parsers of what RedisStore reads back from Redis, one per reply shape,
// apart from the calls that fetch them so tests and the fuzzer can feed
// them any reply tree (tests/fuzz/fuzz_redis_replies.cpp builds trees with
// hiredis's own reader). Every reply is hostile: each parser checks types,
// counts, lengths and ranges, never reads past a reply, and says what is
// wrong (naming the field) instead of guessing. Tags are checked by the
// caller (RecordSeal), after the shape is known to be right.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "server/store/store_types.h"
#include "token/record_mac.h"

struct redisReply;

namespace qbot::server::replies {

/// The first element of a script reply that reports problems
/// (lua/prelude.lua `reply`): each text printable and cut to 160 bytes.
/// Error if `r` is not an array led by an array of at most 8 strings.
core::Result<std::vector<std::string>, std::string> problems_of(const redisReply* r);

/// A registry entry's fields (HGETALL pairs of the live-servers script),
/// before its tag is checked.
struct RegistryFields {
  ServerInfo info;            // id = the member; pending_seats from the script
  std::uint64_t sent_ms = 0;  // the sender's wall clock at the heartbeat (tagged)
  std::uint32_t ttl_ms = 0;   // the TTL it asked for (tagged)
  std::string tag;            // hex
};
core::Result<RegistryFields, std::string> parse_server(std::string_view id, const redisReply* fields);

/// One ticket of the poll script's reply; nullopt = the ticket is gone.
struct PolledTicket {
  TicketStatus status;
  bool repaired = false;       // waiting, and put back into its queue by this poll
  std::string assignment_tag;  // assigned: the tag over the assignment (hex)
};
core::Result<std::optional<PolledTicket>, std::string> parse_polled(const redisReply* r);

/// One [member, created, data] triple of the waiting-tickets script.
struct WaitingEntry {
  AccountId account = 0;
  std::uint64_t created_ms = 0;
  std::string_view sealed;  // the sealed ticket (a view into the reply)
};
core::Result<WaitingEntry, std::string> parse_waiting(const redisReply* member, const redisReply* created,
                                                      const redisReply* data);

/// An inbox entry, '{match id}:{tag hex}'.
struct InboxEntry {
  MatchId id = 0;
  std::string_view tag;
};
core::Result<InboxEntry, std::string> parse_inbox_entry(std::string_view entry);

/// An applied-result marker, '{digest hex}:{tag hex}:{stream entry id}'.
struct Marker {
  token::Digest digest{};
  std::string_view tag;
  std::string_view stream_id;
};
core::Result<Marker, std::string> parse_marker(std::string_view value);

/// HMGET rating deviation volatility matches: a rating in the ranges the
/// store writes. nullopt if all four are nil (never played).
core::Result<std::optional<Rating>, std::string> parse_rating(const redisReply* fields);

/// The `r` field of one XRANGE entry's [field, value, ...] list.
core::Result<std::string_view, std::string> stream_result(const redisReply* fields);

/// A decimal in a string reply that fits T; `what` names it in the error.
template <class T>
core::Result<T, std::string> decimal(const redisReply* r, const char* what);

}  // namespace qbot::server::replies
