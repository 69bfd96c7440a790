#pragma once
// What each authenticated record's tag covers (docs/REDIS.md "Authenticated
// records"): the one place the writer and the reader of a record both take
// it from, so they cannot disagree. Binary records (tickets, match records)
// are sealed whole with RecordSeal::seal under the kinds below; text records
// carry a hex tag over the parts listed here.
#include <cstdint>
#include <string>
#include <string_view>

#include "server/store/record_seal.h"
#include "server/store/store_types.h"

namespace qbot::server::tags {

/// RecordSeal::seal kinds; `where` is the account (tickets) or the match id.
inline constexpr std::string_view kTicket = "ticket";
inline constexpr std::string_view kMatch = "match";

/// A ticket's assignment (the fields assign_matches writes into it).
inline std::string assignment(const RecordSeal& seal, AccountId account, MatchId match, std::string_view host,
                              std::uint16_t port, std::string_view token) {
  return seal.tag_hex(
      {"assignment", std::to_string(account), std::to_string(match), host, std::to_string(port), token});
}
inline bool assignment_ok(const RecordSeal& seal, AccountId account, const TicketStatus& s, std::string_view tag) {
  return seal.verifies_hex({"assignment", std::to_string(account), std::to_string(s.match_id), s.host,
                            std::to_string(s.port), s.token},
                           tag);
}

/// An inbox entry: this match, for this server's inbox.
inline std::string inbox(const RecordSeal& seal, std::string_view server_id, MatchId id) {
  return seal.tag_hex({"inbox", server_id, std::to_string(id)});
}
inline bool inbox_ok(const RecordSeal& seal, std::string_view server_id, MatchId id, std::string_view tag) {
  return seal.verifies_hex({"inbox", server_id, std::to_string(id)}, tag);
}

/// An applied-result marker: this match was applied with content `digest_hex`.
inline std::string marker(const RecordSeal& seal, MatchId id, std::string_view digest_hex) {
  return seal.tag_hex({"result", std::to_string(id), digest_hex});
}
inline bool marker_ok(const RecordSeal& seal, MatchId id, std::string_view digest_hex, std::string_view tag) {
  return seal.verifies_hex({"result", std::to_string(id), digest_hex}, tag);
}

/// A registry entry: every field the heartbeat sends (the token key's
/// fingerprint too, so no one can move an entry into another fleet's view),
/// its tagged send time and TTL.
struct RegistryParts {
  std::string id, host, port, region, capacity, players, arenas, version, key_fp, sent_ms, ttl_ms;
};
inline RegistryParts registry_parts(const ServerInfo& s, std::uint64_t sent_ms, std::uint32_t ttl_ms) {
  return {s.id,
          s.host,
          std::to_string(s.port),
          s.region,
          std::to_string(s.capacity),
          std::to_string(s.players),
          std::to_string(s.arenas),
          s.version,
          s.key_fingerprint,
          std::to_string(sent_ms),
          std::to_string(ttl_ms)};
}
inline std::string registry(const RecordSeal& seal, const RegistryParts& p) {
  return seal.tag_hex({"server", p.id, p.host, p.port, p.region, p.capacity, p.players, p.arenas, p.version, p.key_fp,
                       p.sent_ms, p.ttl_ms});
}
inline bool registry_ok(const RecordSeal& seal, const RegistryParts& p, std::string_view tag) {
  return seal.verifies_hex({"server", p.id, p.host, p.port, p.region, p.capacity, p.players, p.arenas, p.version,
                            p.key_fp, p.sent_ms, p.ttl_ms},
                           tag);
}

}  // namespace qbot::server::tags
