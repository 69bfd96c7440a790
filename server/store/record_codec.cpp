#include "server/store/record_codec.h"

#include "server/store/byte_codec.h"

#include <cmath>
#include <set>

#include "core/text.h"
#include "proto/messages.h"
#include "sim/loadout.h"

namespace qbot::server {
namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::uint8_t kKindBot = 'B';
constexpr std::uint8_t kKindTicket = 'T';
constexpr std::uint8_t kKindMatch = 'M';

ByteWriter record_writer(std::uint8_t kind) {
  ByteWriter w;
  w.u8(kVersion);
  w.u8(kind);
  return w;
}

/// Checks the header; false (with the error set) if it is not `kind` v1.
bool read_header(ByteReader& r, std::uint8_t kind) {
  const auto version = r.u8();
  const auto got = r.u8();
  if (!r.ok()) return false;
  if (version != kVersion) return r.fail("unknown version " + std::to_string(version));
  if (got != kind) return r.fail("not a " + std::string(1, static_cast<char>(kind)) + " record");
  return true;
}

void write_bot_body(ByteWriter& w, const BotRecord& bot) {
  w.str8(bot.loadout.name);
  w.str8(bot.loadout.chassis);
  w.str8(bot.loadout.primary);
  w.str8(bot.loadout.secondary);
  w.str8(bot.loadout.module);
  w.u32(bot.loadout.paint);
}

void read_bot_body(ByteReader& r, BotRecord& bot) {
  bot.loadout.name = r.str8(sim::kMaxBotNameBytes, "bot name");
  bot.loadout.chassis = r.str8(kMaxPartIdBytes, "chassis");
  bot.loadout.primary = r.str8(kMaxPartIdBytes, "primary");
  bot.loadout.secondary = r.str8(kMaxPartIdBytes, "secondary");
  bot.loadout.module = r.str8(kMaxPartIdBytes, "module");
  bot.loadout.paint = r.u32();
}

/// The decoded record if the reader is clean and `problem` finds nothing.
template <class T>
core::Result<T, std::string> verified(ByteReader& r, T value, std::optional<std::string> (*problem)(const T&)) {
  if (auto e = r.finish()) return core::Err{*e};
  if (auto e = problem(value)) return core::Err{*e};
  return value;
}

}  // namespace

bool valid_mode(std::string_view mode) { return proto::parse_game_mode(mode).has_value(); }

bool valid_region(std::string_view region) { return core::is_code(region, 1, kMaxRegionBytes); }

std::optional<std::string> bot_problem(const BotRecord& bot) {
  const auto& l = bot.loadout;
  if (l.name.size() > sim::kMaxBotNameBytes) {
    return "bot name longer than " + std::to_string(sim::kMaxBotNameBytes) + " bytes";
  }
  for (const auto* part : {&l.chassis, &l.primary, &l.secondary, &l.module}) {
    if (part->size() > kMaxPartIdBytes) return "part id longer than " + std::to_string(kMaxPartIdBytes) + " bytes";
  }
  return std::nullopt;
}

std::optional<std::string> ticket_problem(const Ticket& t) {
  if (t.account == 0) return "account 0";
  if (!valid_mode(t.mode)) return "unknown mode '" + t.mode + "'";
  if (!valid_region(t.region)) return "invalid region '" + t.region + "'";
  if (auto e = bot_problem(t.bot)) return e;
  if (!std::isfinite(t.rating)) return "rating not finite";
  if (!core::is_code(t.party, 0, kMaxRegionBytes)) return "invalid party code '" + t.party + "'";
  if (t.party_size < 1 || t.party_size > kMaxPartySize) {
    return "party size " + std::to_string(t.party_size) + " outside 1.." + std::to_string(kMaxPartySize);
  }
  if (t.party.empty() && t.party_size != 1) return "party size without a party code";
  if (!t.front_door.empty() && !valid_server_id(t.front_door)) return "invalid front door '" + t.front_door + "'";
  return std::nullopt;
}

std::optional<std::string> match_problem(const MatchAssignment& m) {
  if (m.id == 0) return "match id 0";
  if (!valid_mode(m.mode)) return "unknown mode '" + m.mode + "'";
  if (!valid_region(m.region)) return "invalid region '" + m.region + "'";
  if (!valid_server_id(m.server_id)) return "invalid server id '" + m.server_id + "'";
  if (m.host.size() > kMaxHostBytes) return "host longer than " + std::to_string(kMaxHostBytes) + " bytes";
  if (m.slots.empty() || m.slots.size() > kMaxMatchSlots) {
    return std::to_string(m.slots.size()) + " slots outside 1.." + std::to_string(kMaxMatchSlots);
  }
  std::set<AccountId> seen;
  for (const auto& s : m.slots) {
    if (s.account == 0) return "slot with account 0";
    // A ticket in a match twice would be "assigned" twice by one claim.
    if (!seen.insert(s.account).second) return "account " + std::to_string(s.account) + " in two slots";
    if (auto e = bot_problem(s.bot)) return e;
    if (!std::isfinite(s.rating)) return "rating not finite";
    if (s.token.size() > kMaxTokenBytes) return "token longer than " + std::to_string(kMaxTokenBytes) + " bytes";
  }
  return std::nullopt;
}

std::string encode_bot(const BotRecord& bot) {
  ByteWriter w = record_writer(kKindBot);
  write_bot_body(w, bot);
  return w.take();
}

core::Result<BotRecord, std::string> decode_bot(std::string_view bytes) {
  ByteReader r(bytes);
  BotRecord bot;
  if (read_header(r, kKindBot)) read_bot_body(r, bot);
  return verified(r, std::move(bot), &bot_problem);
}

std::string encode_ticket(const Ticket& t) {
  ByteWriter w = record_writer(kKindTicket);
  w.u64(t.account);
  w.str8(t.mode);
  w.str8(t.region);
  w.u32(t.bot.id);
  write_bot_body(w, t.bot);
  w.f64(t.rating);
  w.str8(t.party);
  w.u8(t.party_size);
  w.str8(t.front_door);
  w.u64(t.created_ms);
  return w.take();
}

core::Result<Ticket, std::string> decode_ticket(std::string_view bytes) {
  ByteReader r(bytes);
  Ticket t;
  if (read_header(r, kKindTicket)) {
    t.account = r.u64();
    t.mode = r.str8(kMaxModeBytes, "mode");
    t.region = r.str8(kMaxRegionBytes, "region");
    t.bot.id = r.u32();
    read_bot_body(r, t.bot);
    t.rating = r.f64();
    t.party = r.str8(kMaxRegionBytes, "party");
    t.party_size = r.u8();
    t.front_door = r.str8(kMaxServerIdBytes, "front door");
    t.created_ms = r.u64();
  }
  return verified(r, std::move(t), &ticket_problem);
}

std::string encode_match(const MatchAssignment& m) {
  ByteWriter w = record_writer(kKindMatch);
  w.u64(m.id);
  w.str8(m.mode);
  w.str8(m.region);
  w.str8(m.server_id);
  w.str8(m.host);
  w.u16(m.port);
  w.u64(m.created_ms);
  w.u8(static_cast<std::uint8_t>(m.slots.size()));
  for (const auto& s : m.slots) {
    w.u64(s.account);
    w.u8(s.team);
    w.u32(s.bot.id);
    write_bot_body(w, s.bot);
    w.f64(s.rating);
    w.str16(s.token);
  }
  return w.take();
}

core::Result<MatchAssignment, std::string> decode_match(std::string_view bytes) {
  ByteReader r(bytes);
  MatchAssignment m;
  if (read_header(r, kKindMatch)) {
    m.id = r.u64();
    m.mode = r.str8(kMaxModeBytes, "mode");
    m.region = r.str8(kMaxRegionBytes, "region");
    m.server_id = r.str8(kMaxServerIdBytes, "server id");
    m.host = r.str8(kMaxHostBytes, "host");
    m.port = r.u16();
    m.created_ms = r.u64();
    const std::size_t count = r.u8();
    if (count > kMaxMatchSlots) r.fail(std::to_string(count) + " slots, more than " + std::to_string(kMaxMatchSlots));
    for (std::size_t i = 0; i < count && r.ok(); ++i) {
      MatchSlot s;
      s.account = r.u64();
      s.team = r.u8();
      s.bot.id = r.u32();
      read_bot_body(r, s.bot);
      s.rating = r.f64();
      s.token = r.str16(kMaxTokenBytes, "token");
      m.slots.push_back(std::move(s));
    }
  }
  return verified(r, std::move(m), &match_problem);
}

}  // namespace qbot::server
