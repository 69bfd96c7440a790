#include "proto/codec.h"

#include <flatbuffers/flatbuffers.h>

#include "qbot/schemas/messages_generated.h"

namespace qbot::proto {
namespace fb = flatbuffers;
namespace w = qbot::wire;

// Our enum mirrors the wire enum value for value.
static_assert(static_cast<int>(RejectReason::MatchOver) == static_cast<int>(w::RejectReason::MatchOver));
static_assert(static_cast<int>(GarageStatus::Busy) == static_cast<int>(w::GarageStatus::MAX));
static_assert(static_cast<int>(QueueState::Expired) == static_cast<int>(w::QueueState::MAX));
static_assert(static_cast<int>(GarageOp::Delete) == static_cast<int>(w::GarageOp::MAX));
static_assert(static_cast<int>(w::RejectReason::MAX) + 1 == kRejectReasonCount);
static_assert(sizeof(w::InputCmd) == 16);

std::string_view reject_reason_name(RejectReason r) {
  switch (r) {
    case RejectReason::Unknown: return "unknown";
    case RejectReason::ProtocolMismatch: return "protocol_mismatch";
    case RejectReason::ServerFull: return "server_full";
    case RejectReason::BadMessage: return "bad_message";
    case RejectReason::HelloTimeout: return "hello_timeout";
    case RejectReason::NotWelcomed: return "not_welcomed";
    case RejectReason::InvalidName: return "invalid_name";
    case RejectReason::InvalidToken: return "invalid_token";
    case RejectReason::TokenExpired: return "token_expired";
    case RejectReason::TokenReplayed: return "token_replayed";
    case RejectReason::WrongMatch: return "wrong_match";
    case RejectReason::InvalidLoadout: return "invalid_loadout";
    case RejectReason::RateLimited: return "rate_limited";
    case RejectReason::ShuttingDown: return "shutting_down";
    case RejectReason::Kicked: return "kicked";
    case RejectReason::DuplicateHello: return "duplicate_hello";
    case RejectReason::WrongServer: return "wrong_server";
    case RejectReason::MatchOver: return "match_over";
  }
  return "unknown";
}

std::string_view garage_status_name(GarageStatus s) {
  switch (s) {
    case GarageStatus::Ok: return "ok";
    case GarageStatus::NotFound: return "not_found";
    case GarageStatus::GarageFull: return "garage_full";
    case GarageStatus::InvalidLoadout: return "invalid_loadout";
    case GarageStatus::Unavailable: return "unavailable";
    case GarageStatus::Busy: return "busy";
  }
  return "unavailable";
}

std::string_view queue_state_name(QueueState s) {
  switch (s) {
    case QueueState::Waiting: return "waiting";
    case QueueState::Assigned: return "assigned";
    case QueueState::Cancelled: return "cancelled";
    case QueueState::Refused: return "refused";
    case QueueState::Expired: return "expired";
  }
  return "expired";
}

std::string_view game_mode_name(GameMode m) {
  return m == GameMode::TeamDeathmatch ? "team_deathmatch" : "free_for_all";
}

std::string_view game_mode_code(GameMode m) { return m == GameMode::TeamDeathmatch ? "tdm" : "ffa"; }

std::optional<GameMode> parse_game_mode(std::string_view code) {
  if (code == "ffa") return GameMode::FreeForAll;
  if (code == "tdm") return GameMode::TeamDeathmatch;
  return std::nullopt;
}

std::string_view match_phase_name(MatchPhase p) {
  switch (p) {
    case MatchPhase::Waiting: return "waiting";
    case MatchPhase::Countdown: return "countdown";
    case MatchPhase::Battle: return "battle";
    case MatchPhase::Results: return "results";
  }
  return "waiting";
}

std::string_view message_name(const Message& m) {
  static constexpr std::string_view kNames[] = {"hello",         "welcome",       "reject",        "input",
                                                "snapshot",      "match_event",   "garage_request", "garage_reply",
                                                "queue_request", "cancel_queue",  "queue_status",  "match_assigned"};
  static_assert(std::size(kNames) == std::variant_size_v<Message>);
  return kNames[m.index()];
}

std::string_view decode_error_name(DecodeErrorKind k) {
  switch (k) {
    case DecodeErrorKind::Empty: return "empty";
    case DecodeErrorKind::TooLarge: return "too_large";
    case DecodeErrorKind::Malformed: return "malformed";
    case DecodeErrorKind::UnknownMessage: return "unknown_message";
    case DecodeErrorKind::BadField: return "bad_field";
  }
  return "malformed";
}

std::string DecodeError::describe() const {
  std::string s(decode_error_name(kind));
  if (!field.empty()) s += " (" + field + ")";
  return s;
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------
namespace {

using DecodeResult = core::Result<Message, DecodeError>;

core::Err<DecodeError> bad(std::string field) { return core::Err{DecodeError{DecodeErrorKind::BadField, std::move(field)}}; }

/// Copies a verified string if it is at most `max` bytes; nullptr -> "".
bool take_string(const fb::String* s, std::size_t max, std::string& out) {
  if (s == nullptr) return true;
  if (s->size() > max) return false;
  out.assign(s->c_str(), s->size());
  return true;
}

/// Copies a verified byte vector if it is at most `max` bytes; nullptr -> empty.
bool take_bytes(const fb::Vector<std::uint8_t>* v, std::size_t max, std::vector<std::uint8_t>& out) {
  if (v == nullptr) return true;
  if (v->size() > max) return false;
  out.assign(v->begin(), v->end());
  return true;
}

/// Sizes only: whether the parts exist and fit the budget is the catalog's call.
bool decode_loadout(const w::Loadout& l, Loadout& out, std::string& bad_field) {
  const auto take = [&](const fb::String* s, std::size_t max, std::string& dst, const char* name) {
    if (take_string(s, max, dst)) return true;
    bad_field = std::string("loadout.") + name;
    return false;
  };
  out.paint = l.paint();
  return take(l.name(), kMaxGuestNameBytes * 4, out.name, "name") &&
         take(l.chassis(), kMaxPartIdBytes, out.chassis, "chassis") &&
         take(l.primary(), kMaxPartIdBytes, out.primary, "primary") &&
         take(l.secondary(), kMaxPartIdBytes, out.secondary, "secondary") &&
         take(l.module_(), kMaxPartIdBytes, out.module, "module");
}

DecodeResult decode_hello(const w::Hello& h) {
  Hello m;
  m.protocol_version = h.protocol_version();
  if (const auto* t = h.join_token()) {
    if (t->size() > kMaxJoinTokenBytes) return bad("join_token");
    m.join_token.assign(t->begin(), t->end());
  }
  // Name content (printable, non-empty) is judged by the session so that it
  // can answer with InvalidName; here we only bound the size.
  if (!take_string(h.guest_name(), kMaxGuestNameBytes * 4, m.guest_name)) return bad("guest_name");
  if (!take_string(h.client_build(), kMaxClientBuildBytes, m.client_build)) return bad("client_build");
  if (const auto* l = h.loadout()) {
    std::string field;
    if (!decode_loadout(*l, m.loadout.emplace(), field)) return bad(field);
  }
  if (const auto* t = h.reconnect_token()) {
    if (t->size() != kReconnectTokenBytes) return bad("reconnect_token");
    m.reconnect_token.assign(t->begin(), t->end());
  }
  m.lobby = h.lobby();
  if (!take_bytes(h.account_token(), kMaxAccountTokenBytes, m.account_token)) return bad("account_token");
  return Message{std::move(m)};
}

DecodeResult decode_welcome(const w::Welcome& h) {
  Welcome m;
  m.protocol_version = h.protocol_version();
  m.player_id = h.player_id();
  m.arena_id = h.arena_id();
  m.entity_id = h.entity_id();
  m.tick_rate = h.tick_rate();
  m.snapshot_interval = h.snapshot_interval();
  m.server_tick = h.server_tick();
  if (m.tick_rate == 0) return bad("tick_rate");
  if (m.snapshot_interval == 0) return bad("snapshot_interval");
  if (!take_string(h.map_name(), kMaxNameBytes, m.map_name)) return bad("map_name");
  if (!take_string(h.server_id(), kMaxNameBytes * 2, m.server_id)) return bad("server_id");
  if (h.mode() > w::GameMode::MAX) return bad("mode");
  m.mode = static_cast<GameMode>(h.mode());
  m.team = h.team();
  m.catalog_version = h.catalog_version();
  if (const auto* t = h.reconnect_token()) {
    if (t->size() != kReconnectTokenBytes) return bad("reconnect_token");
    m.reconnect_token.assign(t->begin(), t->end());
  }
  m.reconnected = h.reconnected();
  m.account_id = h.account_id();
  if (!take_bytes(h.account_token(), kMaxAccountTokenBytes, m.account_token)) return bad("account_token");
  m.lobby = h.lobby();
  m.match_id = h.match_id();
  return Message{std::move(m)};
}

DecodeResult decode_reject(const w::Reject& h) {
  Reject m;
  const auto reason = static_cast<std::size_t>(h.reason());
  if (reason >= kRejectReasonCount) return bad("reason");
  m.reason = static_cast<RejectReason>(reason);
  if (!take_string(h.text(), kMaxRejectTextBytes, m.text)) return bad("text");
  return Message{std::move(m)};
}

DecodeResult decode_input(const w::Input& h) {
  Input m;
  m.ack_snapshot = h.ack_snapshot();
  const auto* cmds = h.commands();
  if (cmds == nullptr || cmds->size() == 0) return bad("commands");
  if (cmds->size() > kMaxInputCommands) return bad("commands");
  std::uint32_t prev_seq = 0;
  for (fb::uoffset_t i = 0; i < cmds->size(); ++i) {
    const w::InputCmd* c = cmds->Get(i);  // i < size(): checked above
    sim::Command& out = m.commands[i];
    out.sequence = c->sequence();
    out.view_tick = c->view_tick();
    out.aim = c->aim();
    out.move_x = c->move_x();
    out.move_y = c->move_y();
    out.buttons = c->buttons();
    const std::string at = "commands[" + std::to_string(i) + "]";
    if (out.sequence == 0 || (i > 0 && out.sequence <= prev_seq)) return bad(at + ".sequence");
    if (out.move_x == -128) return bad(at + ".move_x");
    if (out.move_y == -128) return bad(at + ".move_y");
    if ((out.buttons & ~sim::kValidButtons) != 0) return bad(at + ".buttons");
    prev_seq = out.sequence;
  }
  m.count = static_cast<std::uint8_t>(cmds->size());
  return Message{m};
}

DecodeResult decode_snapshot(const w::Snapshot& h) {
  Snapshot m;
  m.server_tick = h.server_tick();
  if (m.server_tick == 0) return bad("server_tick");
  const auto* d = h.data();
  if (d == nullptr || d->size() == 0) return bad("data");
  m.data = {d->data(), d->size()};
  return Message{m};
}

DecodeResult decode_match_event(const w::MatchEvent& h) {
  MatchEvent m;
  m.tick = h.tick();
  switch (h.body_type()) {
    case w::MatchEventBody::PlayerJoined: {
      const auto* b = h.body_as_PlayerJoined();
      if (b == nullptr) return bad("body");
      PlayerJoined j;
      j.player_id = b->player_id();
      j.entity_id = b->entity_id();
      j.team = b->team();
      if (!take_string(b->name(), kMaxNameBytes, j.name)) return bad("body.name");
      if (const auto* l = b->loadout()) {
        std::string field;
        if (!decode_loadout(*l, j.loadout, field)) return bad("body." + field);
      }
      m.body = std::move(j);
      break;
    }
    case w::MatchEventBody::PhaseChanged: {
      const auto* b = h.body_as_PhaseChanged();
      if (b == nullptr) return bad("body");
      if (b->phase() > w::MatchPhase::MAX) return bad("body.phase");
      PhaseChanged pc{static_cast<MatchPhase>(b->phase()), b->ends_tick(), b->match_id(), {}};
      if (!take_string(b->map_name(), kMaxNameBytes, pc.map_name)) return bad("body.map_name");
      m.body = std::move(pc);
      break;
    }
    case w::MatchEventBody::Kill: {
      const auto* b = h.body_as_Kill();
      if (b == nullptr) return bad("body");
      Kill k{b->killer(), b->victim(), {}};
      if (!take_string(b->weapon(), kMaxPartIdBytes, k.weapon)) return bad("body.weapon");
      m.body = std::move(k);
      break;
    }
    case w::MatchEventBody::MatchEnded: {
      const auto* b = h.body_as_MatchEnded();
      if (b == nullptr) return bad("body");
      if (b->reason() > w::EndReason::MAX) return bad("body.reason");
      MatchEnded e{b->match_id(), static_cast<EndReason>(b->reason()), b->winner_team(), {}};
      if (const auto* rs = b->results()) {
        if (rs->size() > kMaxMatchResults) return bad("body.results");
        for (fb::uoffset_t i = 0; i < rs->size(); ++i) {
          const w::PlayerResult* r = rs->Get(i);
          if (r == nullptr) return bad("body.results");
          PlayerResult pr{r->player_id(), r->entity_id(), {}, r->team(), r->kills(), r->deaths(),
                          r->damage(), r->score(), r->placement(), r->account_id()};
          if (!take_string(r->name(), kMaxNameBytes, pr.name)) return bad("body.results.name");
          e.results.push_back(std::move(pr));
        }
      }
      m.body = std::move(e);
      break;
    }
    case w::MatchEventBody::PlayerLeft: {
      const auto* b = h.body_as_PlayerLeft();
      if (b == nullptr) return bad("body");
      m.body = PlayerLeft{b->player_id(), b->entity_id()};
      break;
    }
    default:
      return core::Err{DecodeError{DecodeErrorKind::UnknownMessage, "body"}};
  }
  return Message{std::move(m)};
}

DecodeResult decode_garage_request(const w::GarageRequest& h) {
  GarageRequest m;
  m.request_id = h.request_id();
  if (h.op() > w::GarageOp::MAX) return bad("op");
  m.op = static_cast<GarageOp>(h.op());
  m.bot_id = h.bot_id();
  if (const auto* l = h.loadout()) {
    std::string field;
    if (!decode_loadout(*l, m.loadout.emplace(), field)) return bad(field);
  }
  const bool needs_loadout = m.op == GarageOp::Create || m.op == GarageOp::Update;
  if (needs_loadout && !m.loadout) return bad("loadout");
  if ((m.op == GarageOp::Update || m.op == GarageOp::Delete) && m.bot_id == 0) return bad("bot_id");
  return Message{std::move(m)};
}

DecodeResult decode_garage_reply(const w::GarageReply& h) {
  GarageReply m;
  m.request_id = h.request_id();
  if (h.status() > w::GarageStatus::MAX) return bad("status");
  m.status = static_cast<GarageStatus>(h.status());
  if (!take_string(h.text(), kMaxRejectTextBytes, m.text)) return bad("text");
  if (const auto* bots = h.bots()) {
    if (bots->size() > kMaxGarageBots) return bad("bots");
    for (fb::uoffset_t i = 0; i < bots->size(); ++i) {
      const w::GarageBot* b = bots->Get(i);
      if (b == nullptr) return bad("bots");
      GarageBot out{b->bot_id(), {}, b->matches(), b->wins(), b->kills(), b->deaths()};
      if (const auto* l = b->loadout()) {
        std::string field;
        if (!decode_loadout(*l, out.loadout, field)) return bad("bots." + field);
      }
      m.bots.push_back(std::move(out));
    }
  }
  m.rating = h.rating();
  m.rating_deviation = h.rating_deviation();
  m.rated_matches = h.rated_matches();
  m.bot = h.bot();
  return Message{std::move(m)};
}

DecodeResult decode_queue_request(const w::QueueRequest& h) {
  QueueRequest m;
  if (h.mode() > w::GameMode::MAX) return bad("mode");
  m.mode = static_cast<GameMode>(h.mode());
  // Character sets are the lobby's call (it answers Refused with the reason).
  if (!take_string(h.region(), kMaxRegionBytes, m.region)) return bad("region");
  m.bot_id = h.bot_id();
  if (!take_string(h.party(), kMaxRegionBytes, m.party)) return bad("party");
  m.party_size = h.party_size();
  if (m.party_size < 1 || m.party_size > kMaxPartySize) return bad("party_size");
  return Message{std::move(m)};
}

DecodeResult decode_queue_status(const w::QueueStatus& h) {
  QueueStatus m;
  if (h.state() > w::QueueState::MAX) return bad("state");
  m.state = static_cast<QueueState>(h.state());
  m.position = h.position();
  m.queue_length = h.queue_length();
  m.waited_ms = h.waited_ms();
  m.estimated_wait_ms = h.estimated_wait_ms();
  if (!take_string(h.text(), kMaxRejectTextBytes, m.text)) return bad("text");
  return Message{std::move(m)};
}

DecodeResult decode_match_assigned(const w::MatchAssigned& h) {
  MatchAssigned m;
  if (!take_string(h.host(), kMaxHostBytes, m.host) || m.host.empty()) return bad("host");
  m.port = h.port();
  if (m.port == 0) return bad("port");
  m.match_id = h.match_id();
  if (m.match_id == 0) return bad("match_id");
  if (!take_bytes(h.join_token(), kMaxJoinTokenBytes, m.join_token) || m.join_token.empty()) return bad("join_token");
  if (h.mode() > w::GameMode::MAX) return bad("mode");
  m.mode = static_cast<GameMode>(h.mode());
  m.team = h.team();
  return Message{std::move(m)};
}

}  // namespace

std::uint8_t channel_of(const Message& m) {
  return std::holds_alternative<Input>(m) || std::holds_alternative<Snapshot>(m) ? 1 : 0;
}

core::Result<Message, DecodeError> decode(std::span<const std::uint8_t> bytes, Sender sender, std::uint8_t channel) {
  if (bytes.empty()) return core::Err{DecodeError{DecodeErrorKind::Empty, {}}};
  const bool from_client = sender == Sender::Client;
  if (bytes.size() > (from_client ? kMaxClientPacketBytes : kMaxServerPacketBytes)) {
    return core::Err{DecodeError{DecodeErrorKind::TooLarge, {}}};
  }
  fb::Verifier::Options opts;
  opts.max_depth = from_client ? kClientVerifierMaxDepth : kServerVerifierMaxDepth;
  opts.max_tables = from_client ? kClientVerifierMaxTables : kServerVerifierMaxTables;
  opts.check_alignment = true;
  fb::Verifier verifier(bytes.data(), bytes.size(), opts);
  const auto malformed = [] { return core::Err{DecodeError{DecodeErrorKind::Malformed, {}}}; };
  if (channel == 1) {
    // The hot path: a bare table whose type is fixed by channel and
    // direction (no file identifier: 4 bytes a packet, 60 times a second).
    if (from_client) {
      if (!verifier.VerifyBuffer<w::Input>(nullptr)) return malformed();
      return decode_input(*fb::GetRoot<w::Input>(bytes.data()));
    }
    if (!verifier.VerifyBuffer<w::Snapshot>(nullptr)) return malformed();
    return decode_snapshot(*fb::GetRoot<w::Snapshot>(bytes.data()));
  }
  if (channel != 0) return core::Err{DecodeError{DecodeErrorKind::UnknownMessage, "channel"}};
  if (!w::VerifyEnvelopeBuffer(verifier)) return malformed();

  const w::Envelope* env = w::GetEnvelope(bytes.data());
  // The Verifier accepts a union whose type is set but whose body is absent
  // (VerifyTable(nullptr) is true), so every body pointer is checked here.
  const auto missing = [] { return core::Err{DecodeError{DecodeErrorKind::BadField, "body"}}; };
  switch (env->body_type()) {
    case w::Message::Hello:
      if (const auto* b = env->body_as_Hello()) return decode_hello(*b);
      return missing();
    case w::Message::Welcome:
      if (const auto* b = env->body_as_Welcome()) return decode_welcome(*b);
      return missing();
    case w::Message::Reject:
      if (const auto* b = env->body_as_Reject()) return decode_reject(*b);
      return missing();
    case w::Message::Input:
    case w::Message::Snapshot:
      // These travel bare on channel 1 only.
      return core::Err{DecodeError{DecodeErrorKind::BadField, "body (Input/Snapshot belong on channel 1)"}};
    case w::Message::MatchEvent:
      if (const auto* b = env->body_as_MatchEvent()) return decode_match_event(*b);
      return missing();
    case w::Message::GarageRequest:
      if (const auto* b = env->body_as_GarageRequest()) return decode_garage_request(*b);
      return missing();
    case w::Message::GarageReply:
      if (const auto* b = env->body_as_GarageReply()) return decode_garage_reply(*b);
      return missing();
    case w::Message::QueueRequest:
      if (const auto* b = env->body_as_QueueRequest()) return decode_queue_request(*b);
      return missing();
    case w::Message::CancelQueue:
      if (const auto* b = env->body_as_CancelQueue()) return Message{CancelQueue{b->request_id()}};
      return missing();
    case w::Message::QueueStatus:
      if (const auto* b = env->body_as_QueueStatus()) return decode_queue_status(*b);
      return missing();
    case w::Message::MatchAssigned:
      if (const auto* b = env->body_as_MatchAssigned()) return decode_match_assigned(*b);
      return missing();
    default:
      break;
  }
  return core::Err{DecodeError{DecodeErrorKind::UnknownMessage, "body"}};
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------
struct Encoder::Impl {
  fb::FlatBufferBuilder fbb{1024};

  template <class T>
  std::span<const std::uint8_t> finish(w::Message type, fb::Offset<T> body) {
    fbb.Finish(w::CreateEnvelope(fbb, type, body.Union()));
    return {fbb.GetBufferPointer(), fbb.GetSize()};
  }
  fb::Offset<fb::String> str(const std::string& s, std::size_t max) {
    return fbb.CreateString(s.data(), std::min(s.size(), max));
  }
  fb::Offset<w::Loadout> loadout(const Loadout& l) {
    const auto name = str(l.name, kMaxGuestNameBytes);
    const auto chassis = str(l.chassis, kMaxPartIdBytes);
    const auto primary = str(l.primary, kMaxPartIdBytes);
    const auto secondary = str(l.secondary, kMaxPartIdBytes);
    const auto module = str(l.module, kMaxPartIdBytes);
    return w::CreateLoadout(fbb, name, chassis, primary, secondary, module, l.paint);
  }
};

Encoder::Encoder() : impl_(std::make_unique<Impl>()) {}
Encoder::~Encoder() = default;

std::span<const std::uint8_t> Encoder::encode(const Hello& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto token = m.join_token.empty() ? 0 : f.CreateVector(m.join_token);
  const auto name = m.guest_name.empty() ? 0 : f.CreateString(m.guest_name);
  const auto build = m.client_build.empty() ? 0 : impl_->str(m.client_build, kMaxClientBuildBytes);
  const auto loadout = m.loadout ? impl_->loadout(*m.loadout) : 0;
  const auto reconnect = m.reconnect_token.empty() ? 0 : f.CreateVector(m.reconnect_token);
  const auto account = m.account_token.empty() ? 0 : f.CreateVector(m.account_token);
  return impl_->finish(w::Message::Hello, w::CreateHello(f, m.protocol_version, token, name, build, loadout, reconnect,
                                                         m.lobby, account));
}

std::span<const std::uint8_t> Encoder::encode(const Welcome& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto map = impl_->str(m.map_name, kMaxNameBytes);
  const auto sid = impl_->str(m.server_id, kMaxNameBytes * 2);
  const auto reconnect = m.reconnect_token.empty() ? 0 : f.CreateVector(m.reconnect_token);
  const auto account = m.account_token.empty() ? 0 : f.CreateVector(m.account_token);
  return impl_->finish(w::Message::Welcome,
                       w::CreateWelcome(f, m.protocol_version, m.player_id, m.arena_id, m.entity_id, m.tick_rate,
                                        m.snapshot_interval, m.server_tick, map, sid,
                                        static_cast<w::GameMode>(m.mode), m.team, m.catalog_version, reconnect,
                                        m.reconnected, m.account_id, account, m.lobby, m.match_id));
}

std::span<const std::uint8_t> Encoder::encode(const Reject& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto text = m.text.empty() ? 0 : impl_->str(m.text, kMaxRejectTextBytes);
  return impl_->finish(w::Message::Reject,
                       w::CreateReject(f, static_cast<w::RejectReason>(m.reason), text));
}

std::span<const std::uint8_t> Encoder::encode(const Input& m) {
  auto& f = impl_->fbb;
  f.Clear();
  std::array<w::InputCmd, kMaxInputCommands> cmds;
  const std::size_t n = std::min<std::size_t>(m.count, kMaxInputCommands);
  for (std::size_t i = 0; i < n; ++i) {
    const sim::Command& c = m.commands[i];
    cmds[i] = w::InputCmd(c.sequence, c.view_tick, c.aim, c.move_x, c.move_y, c.buttons);
  }
  const auto vec = f.CreateVectorOfStructs(cmds.data(), n);
  f.Finish(w::CreateInput(f, m.ack_snapshot, vec));
  return {f.GetBufferPointer(), f.GetSize()};
}

std::span<const std::uint8_t> Encoder::encode(const Snapshot& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto data = f.CreateVector(m.data.data(), m.data.size());
  f.Finish(w::CreateSnapshot(f, m.server_tick, data));
  return {f.GetBufferPointer(), f.GetSize()};
}

std::span<const std::uint8_t> Encoder::encode(const MatchEvent& m) {
  auto& f = impl_->fbb;
  f.Clear();
  fb::Offset<void> body;
  w::MatchEventBody type = w::MatchEventBody::NONE;
  if (const auto* j = std::get_if<PlayerJoined>(&m.body)) {
    const auto name = impl_->str(j->name, kMaxNameBytes);
    const auto loadout = impl_->loadout(j->loadout);
    body = w::CreatePlayerJoined(f, j->player_id, j->entity_id, name, j->team, loadout).Union();
    type = w::MatchEventBody::PlayerJoined;
  } else if (const auto* l = std::get_if<PlayerLeft>(&m.body)) {
    body = w::CreatePlayerLeft(f, l->player_id, l->entity_id).Union();
    type = w::MatchEventBody::PlayerLeft;
  } else if (const auto* p = std::get_if<PhaseChanged>(&m.body)) {
    const auto map = impl_->str(p->map_name, kMaxNameBytes);
    body = w::CreatePhaseChanged(f, static_cast<w::MatchPhase>(p->phase), p->ends_tick, p->match_id, map).Union();
    type = w::MatchEventBody::PhaseChanged;
  } else if (const auto* k = std::get_if<Kill>(&m.body)) {
    const auto weapon = impl_->str(k->weapon, kMaxPartIdBytes);
    body = w::CreateKill(f, k->killer, k->victim, weapon).Union();
    type = w::MatchEventBody::Kill;
  } else if (const auto* e = std::get_if<MatchEnded>(&m.body)) {
    std::vector<fb::Offset<w::PlayerResult>> rows;
    const std::size_t n = std::min(e->results.size(), kMaxMatchResults);
    rows.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const PlayerResult& r = e->results[i];
      const auto name = impl_->str(r.name, kMaxNameBytes);
      rows.push_back(w::CreatePlayerResult(f, r.player_id, r.entity_id, name, r.team, r.kills, r.deaths, r.damage,
                                           r.score, r.placement, r.account_id));
    }
    const auto results = f.CreateVector(rows);
    body = w::CreateMatchEnded(f, e->match_id, static_cast<w::EndReason>(e->reason), e->winner_team, results).Union();
    type = w::MatchEventBody::MatchEnded;
  }
  return impl_->finish(w::Message::MatchEvent, w::CreateMatchEvent(f, m.tick, type, body));
}

std::span<const std::uint8_t> Encoder::encode(const GarageRequest& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto loadout = m.loadout ? impl_->loadout(*m.loadout) : 0;
  return impl_->finish(w::Message::GarageRequest,
                       w::CreateGarageRequest(f, m.request_id, static_cast<w::GarageOp>(m.op), m.bot_id, loadout));
}

std::span<const std::uint8_t> Encoder::encode(const GarageReply& m) {
  auto& f = impl_->fbb;
  f.Clear();
  std::vector<fb::Offset<w::GarageBot>> bots;
  const std::size_t n = std::min(m.bots.size(), kMaxGarageBots);
  bots.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const GarageBot& b = m.bots[i];
    const auto loadout = impl_->loadout(b.loadout);
    bots.push_back(w::CreateGarageBot(f, b.bot_id, loadout, b.matches, b.wins, b.kills, b.deaths));
  }
  const auto vec = f.CreateVector(bots);
  const auto text = m.text.empty() ? 0 : impl_->str(m.text, kMaxRejectTextBytes);
  return impl_->finish(w::Message::GarageReply,
                       w::CreateGarageReply(f, m.request_id, static_cast<w::GarageStatus>(m.status), text, vec,
                                            m.rating, m.rating_deviation, m.rated_matches, m.bot));
}

std::span<const std::uint8_t> Encoder::encode(const QueueRequest& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto region = m.region.empty() ? 0 : impl_->str(m.region, kMaxRegionBytes);
  const auto party = m.party.empty() ? 0 : impl_->str(m.party, kMaxRegionBytes);
  return impl_->finish(w::Message::QueueRequest, w::CreateQueueRequest(f, static_cast<w::GameMode>(m.mode), region,
                                                                       m.bot_id, party, m.party_size));
}

std::span<const std::uint8_t> Encoder::encode(const CancelQueue& m) {
  auto& f = impl_->fbb;
  f.Clear();
  return impl_->finish(w::Message::CancelQueue, w::CreateCancelQueue(f, m.request_id));
}

std::span<const std::uint8_t> Encoder::encode(const QueueStatus& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto text = m.text.empty() ? 0 : impl_->str(m.text, kMaxRejectTextBytes);
  return impl_->finish(w::Message::QueueStatus,
                       w::CreateQueueStatus(f, static_cast<w::QueueState>(m.state), m.position, m.queue_length,
                                            m.waited_ms, m.estimated_wait_ms, text));
}

std::span<const std::uint8_t> Encoder::encode(const MatchAssigned& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto host = impl_->str(m.host, kMaxHostBytes);
  const auto token = f.CreateVector(m.join_token.data(), std::min(m.join_token.size(), kMaxJoinTokenBytes));
  return impl_->finish(w::Message::MatchAssigned,
                       w::CreateMatchAssigned(f, host, m.port, m.match_id, token, static_cast<w::GameMode>(m.mode),
                                              m.team));
}

std::span<const std::uint8_t> Encoder::encode(const Message& m) {
  return std::visit([this](const auto& msg) { return encode(msg); }, m);
}

}  // namespace qbot::proto
