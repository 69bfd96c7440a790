#include "server/matchmaking/record_codec.h"

#include <bit>
#include <cmath>
#include <set>

#include "sim/loadout.h"

namespace qbot::server {
namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::uint8_t kKindBot = 'B';
constexpr std::uint8_t kKindTicket = 'T';
constexpr std::uint8_t kKindMatch = 'M';

bool token_chars(std::string_view s) {
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

class Writer {
 public:
  explicit Writer(std::uint8_t kind) {
    u8(kVersion);
    u8(kind);
  }
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) { le(v, 2); }
  void u32(std::uint32_t v) { le(v, 4); }
  void u64(std::uint64_t v) { le(v, 8); }
  void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }
  // Lengths fit: the *_problem checks bound every string far below 255 / 65535.
  void str8(std::string_view s) {
    u8(static_cast<std::uint8_t>(s.size()));
    out_.append(s);
  }
  void str16(std::string_view s) {
    u16(static_cast<std::uint16_t>(s.size()));
    out_.append(s);
  }
  std::string take() { return std::move(out_); }

 private:
  void le(std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  std::string out_;
};

/// Reads from a hostile buffer: an overrun or an oversize string sets the
/// error and yields zeros, so callers check once at the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  std::uint8_t u8() { return static_cast<std::uint8_t>(le(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(le(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(le(4)); }
  std::uint64_t u64() { return le(8); }
  double f64() { return std::bit_cast<double>(u64()); }
  std::string str8(std::size_t max, const char* what) { return str(u8(), max, what); }
  std::string str16(std::size_t max, const char* what) { return str(u16(), max, what); }

  /// Checks the header; false (with the error set) if it is not `kind` v1.
  bool header(std::uint8_t kind) {
    const auto version = u8();
    const auto got = u8();
    if (!error_.empty()) return false;
    if (version != kVersion) return fail("unknown version " + std::to_string(version));
    if (got != kind) return fail("not a " + std::string(1, static_cast<char>(kind)) + " record");
    return true;
  }
  bool ok() const { return error_.empty(); }
  bool fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  /// The error, or "trailing bytes" if the record did not end the buffer.
  std::optional<std::string> finish() {
    if (error_.empty() && pos_ != in_.size()) error_ = std::to_string(in_.size() - pos_) + " trailing bytes";
    if (error_.empty()) return std::nullopt;
    return error_;
  }

 private:
  std::uint64_t le(std::size_t bytes) {
    if (!error_.empty()) return 0;
    if (in_.size() - pos_ < bytes) {
      fail("truncated");
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v |= std::uint64_t{static_cast<std::uint8_t>(in_[pos_ + i])} << (8 * i);
    pos_ += bytes;
    return v;
  }
  std::string str(std::size_t len, std::size_t max, const char* what) {
    if (!error_.empty()) return {};
    if (len > max) {
      fail(std::string(what) + " longer than " + std::to_string(max) + " bytes");
      return {};
    }
    if (in_.size() - pos_ < len) {
      fail("truncated");
      return {};
    }
    std::string s(in_.substr(pos_, len));
    pos_ += len;
    return s;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  std::string error_;
};

void write_bot_body(Writer& w, const BotRecord& bot) {
  w.str8(bot.loadout.name);
  w.str8(bot.loadout.chassis);
  w.str8(bot.loadout.primary);
  w.str8(bot.loadout.secondary);
  w.str8(bot.loadout.module);
  w.u32(bot.loadout.paint);
}

void read_bot_body(Reader& r, BotRecord& bot) {
  bot.loadout.name = r.str8(sim::kMaxBotNameBytes, "bot name");
  bot.loadout.chassis = r.str8(kMaxPartIdBytes, "chassis");
  bot.loadout.primary = r.str8(kMaxPartIdBytes, "primary");
  bot.loadout.secondary = r.str8(kMaxPartIdBytes, "secondary");
  bot.loadout.module = r.str8(kMaxPartIdBytes, "module");
  bot.loadout.paint = r.u32();
}

/// The decoded record if the reader is clean and `problem` finds nothing.
template <class T>
core::Result<T, std::string> verified(Reader& r, T value, std::optional<std::string> (*problem)(const T&)) {
  if (auto e = r.finish()) return core::Err{*e};
  if (auto e = problem(value)) return core::Err{*e};
  return value;
}

}  // namespace

bool valid_mode(std::string_view mode) { return mode == "ffa" || mode == "tdm"; }

bool valid_region(std::string_view region) {
  return !region.empty() && region.size() <= kMaxRegionBytes && token_chars(region);
}

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
  if (t.party.size() > kMaxRegionBytes || !token_chars(t.party)) return "invalid party code '" + t.party + "'";
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
  Writer w(kKindBot);
  write_bot_body(w, bot);
  return w.take();
}

core::Result<BotRecord, std::string> decode_bot(std::string_view bytes) {
  Reader r(bytes);
  BotRecord bot;
  if (r.header(kKindBot)) read_bot_body(r, bot);
  return verified(r, std::move(bot), &bot_problem);
}

std::string encode_ticket(const Ticket& t) {
  Writer w(kKindTicket);
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
  Reader r(bytes);
  Ticket t;
  if (r.header(kKindTicket)) {
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
  Writer w(kKindMatch);
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
  Reader r(bytes);
  MatchAssignment m;
  if (r.header(kKindMatch)) {
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
