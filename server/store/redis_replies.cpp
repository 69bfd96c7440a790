#include "server/store/redis_replies.h"

#include <cmath>
#include <map>

#include "core/text.h"
#include "server/store/rating.h"
#include "server/store/record_codec.h"
#include "server/store/redis_connection.h"

namespace qbot::server::replies {
namespace {

/// Problems a script reports at most (lua/prelude.lua) and the bytes kept of each.
constexpr std::size_t kMaxProblems = 8;
constexpr std::size_t kMaxProblemBytes = 160;
// Bounds on a registry entry read back from Redis: anything longer is
// hostile. Region and version are looser than a ticket's region
// (kMaxRegionBytes): heartbeat_server does not check them, and a server is
// listed even if no ticket can name its region.
constexpr std::size_t kMaxServerRegionBytes = 64;
constexpr std::size_t kMaxServerVersionBytes = 64;
constexpr std::size_t kMaxKeyFingerprintBytes = 64;
/// HGETALL elements (fields and values) of one server hash: it has 14
/// fields (heartbeat_server's 12, heartbeat_ms, pending_seats); room to spare.
constexpr std::size_t kMaxServerHashElements = 64;
/// Hex digits of a tag or digest.
constexpr std::size_t kHexBytes = 2 * token::kRecordMacBytes;
/// A stream entry id: two u64 in decimal and a dash.
constexpr std::size_t kMaxStreamIdBytes = 41;
/// No rating the Glicko-2 math writes comes near this far from 0: a stored
/// rating beyond it is hostile.
constexpr double kMaxStoredRatingMagnitude = 100'000.0;

using Err = core::Err<std::string>;

std::string_view text(const redisReply* r) { return reply::str(r); }

template <class T>
bool number_at(const redisReply* r, std::size_t i, T& out) {
  const redisReply* e = reply::at(r, i);
  return reply::is_string(e) && parse_decimal(reply::str(e), out);
}

core::Result<std::optional<PolledTicket>, std::string> parse_waiting_status(const redisReply* r, PolledTicket p) {
  const auto* rank = reply::at(r, 2);
  const auto* length = reply::at(r, 3);
  const auto* repaired = reply::at(r, 4);
  if (!reply::is_integer(rank) || !reply::is_integer(length) || !reply::is_integer(repaired)) {
    return Err{"waiting ticket: rank, length or repaired flag is not an integer"};
  }
  if (reply::integer(length) < 1 || reply::integer(length) > UINT32_MAX || reply::integer(rank) < 0 ||
      reply::integer(rank) >= reply::integer(length)) {
    return Err{"waiting ticket: rank " + std::to_string(reply::integer(rank)) + " of " +
               std::to_string(reply::integer(length))};
  }
  p.status.state = TicketState::Waiting;
  p.status.queue_length = static_cast<std::uint32_t>(reply::integer(length));
  p.status.position = static_cast<std::uint32_t>(reply::integer(rank));
  p.repaired = reply::integer(repaired) == 1;
  return std::optional<PolledTicket>(std::move(p));
}

core::Result<std::optional<PolledTicket>, std::string> parse_assigned_status(const redisReply* r, PolledTicket p) {
  const auto* host = reply::at(r, 3);
  const auto* token = reply::at(r, 5);
  const auto* tag = reply::at(r, 6);
  if (!number_at(r, 2, p.status.match_id) || p.status.match_id == 0 || p.status.match_id > kMaxMatchId) {
    return Err{"assigned ticket: match is not an id"};
  }
  if (!number_at(r, 4, p.status.port) || p.status.port == 0) return Err{"assigned ticket: port is not 1..65535"};
  if (!reply::is_string(host) || text(host).empty() || text(host).size() > kMaxHostBytes) {
    return Err{"assigned ticket: host is not 1..253 bytes"};
  }
  if (!reply::is_string(token) || text(token).empty() || text(token).size() > kMaxTokenBytes) {
    return Err{"assigned ticket: token is not 1..256 bytes"};
  }
  if (!reply::is_string(tag) || text(tag).size() != kHexBytes) return Err{"assigned ticket: no assignment tag"};
  p.status.state = TicketState::Assigned;
  p.status.host = std::string(text(host));
  p.status.token = std::string(text(token));
  p.assignment_tag = std::string(text(tag));
  return std::optional<PolledTicket>(std::move(p));
}

}  // namespace

core::Result<std::vector<std::string>, std::string> problems_of(const redisReply* r) {
  const redisReply* list = reply::at(r, 0);
  if (!reply::is_array(r) || !reply::is_array(list)) return Err{"reply does not start with its problems"};
  if (reply::size(list) > kMaxProblems) return Err{"more problems than a script reports"};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < reply::size(list); ++i) {
    const redisReply* p = reply::at(list, i);
    if (!reply::is_string(p)) return Err{"a problem is not text"};
    out.emplace_back(text(p).substr(0, kMaxProblemBytes));
  }
  return out;
}

core::Result<RegistryFields, std::string> parse_server(std::string_view id, const redisReply* fields) {
  if (!valid_server_id(id)) return Err{"member is not a server id"};
  if (!reply::is_array(fields) || reply::size(fields) % 2 != 0 || reply::size(fields) > kMaxServerHashElements) {
    return Err{"entry is not a list of at most 32 field/value pairs"};
  }
  std::map<std::string_view, std::string_view> kv;
  for (std::size_t i = 0; i + 1 < reply::size(fields); i += 2) {
    const auto* k = reply::at(fields, i);
    const auto* v = reply::at(fields, i + 1);
    if (!reply::is_string(k) || !reply::is_string(v)) return Err{"a field or value is not text"};
    kv[text(k)] = text(v);
  }
  RegistryFields out;
  out.info.id = std::string(id);
  std::string missing;
  // Each stops the && chain below at the first field that is wrong, naming it.
  auto str = [&](const char* key, std::string& dst, std::size_t max) {
    auto it = kv.find(key);
    if (it != kv.end() && it->second.size() <= max) {
      dst = std::string(it->second);
      return true;
    }
    missing = key;
    return false;
  };
  auto num = [&](const char* key, auto& dst) {
    auto it = kv.find(key);
    if (it != kv.end() && parse_decimal(it->second, dst)) return true;
    missing = key;
    return false;
  };
  ServerInfo& s = out.info;
  const bool ok = str("host", s.host, kMaxHostBytes) && str("region", s.region, kMaxServerRegionBytes) &&
                  str("version", s.version, kMaxServerVersionBytes) && str("mac", out.tag, kHexBytes) &&
                  num("port", s.port) && num("capacity", s.capacity) && num("players", s.players) &&
                  num("arenas", s.arenas) && num("heartbeat_ms", s.heartbeat_ms) &&
                  num("pending_seats", s.pending_seats) && num("sent_ms", out.sent_ms) && num("ttl_ms", out.ttl_ms);
  if (!ok) return Err{"field " + missing + " is missing or out of range"};
  if (s.host.empty() || s.port == 0) return Err{"host or port is empty"};
  // The key fingerprint is optional (servers of older versions do not write
  // one: they count as holding another key), a code when present.
  if (auto fp = kv.find("key_fp"); fp != kv.end()) {
    if (!fp->second.empty() && !core::is_code(fp->second, 1, kMaxKeyFingerprintBytes)) {
      return Err{"field key_fp is not a code of 1..64 characters"};
    }
    s.key_fingerprint = std::string(fp->second);
  }
  return out;
}

core::Result<std::optional<PolledTicket>, std::string> parse_polled(const redisReply* r) {
  if (reply::is_integer(r) && reply::integer(r) == 0) return std::optional<PolledTicket>{};
  if (!reply::is_array(r) || reply::size(r) < 2) return Err{"ticket status is not a list"};
  const auto* state = reply::at(r, 0);
  PolledTicket p;
  if (!reply::is_string(state) || !number_at(r, 1, p.status.created_ms)) return Err{"ticket: state or created"};
  if (text(state) == "waiting" && reply::size(r) == 5) return parse_waiting_status(r, std::move(p));
  if (text(state) == "assigned" && reply::size(r) == 7) return parse_assigned_status(r, std::move(p));
  return Err{"ticket: unknown state"};
}

core::Result<WaitingEntry, std::string> parse_waiting(const redisReply* member, const redisReply* created,
                                                      const redisReply* data) {
  WaitingEntry out;
  if (!reply::is_string(member) || !parse_decimal(text(member), out.account) || out.account == 0) {
    return Err{"queue member is not an account"};
  }
  if (!reply::is_string(created) || !parse_decimal(text(created), out.created_ms)) {
    return Err{"ticket created is not a time"};
  }
  if (!reply::is_string(data)) return Err{"ticket data is not bytes"};
  out.sealed = text(data);
  return out;
}

core::Result<InboxEntry, std::string> parse_inbox_entry(std::string_view entry) {
  const auto colon = entry.find(':');
  InboxEntry out;
  if (colon == std::string_view::npos || !parse_decimal(entry.substr(0, colon), out.id) || out.id == 0 ||
      out.id > kMaxMatchId) {
    return Err{"inbox entry does not start with a match id"};
  }
  out.tag = entry.substr(colon + 1);
  if (out.tag.size() != kHexBytes) return Err{"inbox entry has no tag"};
  return out;
}

core::Result<Marker, std::string> parse_marker(std::string_view value) {
  const auto first = value.find(':');
  const auto second = first == std::string_view::npos ? first : value.find(':', first + 1);
  if (second == std::string_view::npos) return Err{"marker is not digest:tag:entry"};
  Marker out;
  const auto digest = token::from_hex32(value.substr(0, first));
  if (!digest) return Err{"marker digest is not 64 hex digits"};
  out.digest = *digest;
  out.tag = value.substr(first + 1, second - first - 1);
  out.stream_id = value.substr(second + 1);
  if (out.tag.size() != kHexBytes) return Err{"marker tag is not 64 hex digits"};
  if (out.stream_id.empty() || out.stream_id.size() > kMaxStreamIdBytes) return Err{"marker has no stream entry"};
  return out;
}

core::Result<std::optional<Rating>, std::string> parse_rating(const redisReply* fields) {
  if (!reply::is_array(fields) || reply::size(fields) != 4) return Err{"rating is not four values"};
  std::size_t nil = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto* f = reply::at(fields, i);
    if (reply::is_nil(f)) ++nil;
    else if (!reply::is_string(f)) return Err{"a rating value is not text"};
  }
  if (nil == 4) return std::optional<Rating>{};
  if (nil != 0) return Err{"a rating field is missing"};
  Rating r;
  if (!number_at(fields, 0, r.rating) || !number_at(fields, 1, r.deviation) || !number_at(fields, 2, r.volatility) ||
      !number_at(fields, 3, r.matches)) {
    return Err{"a rating value is not a plain number"};
  }
  if (!std::isfinite(r.rating) || std::fabs(r.rating) > kMaxStoredRatingMagnitude) return Err{"rating out of range"};
  if (!(r.deviation >= kMinDeviation && r.deviation <= kMaxDeviation)) return Err{"deviation out of range"};
  if (!(r.volatility >= kMinVolatility && r.volatility <= kMaxVolatility)) return Err{"volatility out of range"};
  return std::optional<Rating>(r);
}

core::Result<std::string_view, std::string> stream_result(const redisReply* fields) {
  for (std::size_t f = 0; f + 1 < reply::size(fields); f += 2) {
    if (text(reply::at(fields, f)) != "r") continue;
    if (!reply::is_string(reply::at(fields, f + 1))) return Err{"field r is not bytes"};
    return text(reply::at(fields, f + 1));
  }
  return Err{"no field r"};
}

template <class T>
core::Result<T, std::string> decimal(const redisReply* r, const char* what) {
  T out{};
  if (!reply::is_string(r) || !parse_decimal(text(r), out)) return Err{std::string(what) + " is not a decimal"};
  return out;
}
template core::Result<std::uint64_t, std::string> decimal<std::uint64_t>(const redisReply*, const char*);

}  // namespace qbot::server::replies
