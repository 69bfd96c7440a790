#include "proto/codec.h"

#include <flatbuffers/flatbuffers.h>

#include "qbot/schemas/messages_generated.h"

namespace qbot::proto {
namespace fb = flatbuffers;
namespace w = qbot::wire;

// Our enum mirrors the wire enum value for value.
static_assert(static_cast<int>(RejectReason::WrongServer) == static_cast<int>(w::RejectReason::WrongServer));
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
  }
  return "unknown";
}

std::string_view message_name(const Message& m) {
  static constexpr std::string_view kNames[] = {"hello", "welcome", "reject", "input", "snapshot", "match_event"};
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
  m.baseline_tick = h.baseline_tick();
  m.last_input = h.last_input();
  if (m.server_tick == 0) return bad("server_tick");
  if (m.baseline_tick >= m.server_tick && m.baseline_tick != 0) return bad("baseline_tick");
  if (const auto* e = h.entities()) m.entities = {e->data(), e->size()};
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
      m.body = std::move(j);
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

}  // namespace

core::Result<Message, DecodeError> decode(std::span<const std::uint8_t> bytes, Sender sender) {
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
  if (!w::VerifyEnvelopeBuffer(verifier)) return core::Err{DecodeError{DecodeErrorKind::Malformed, {}}};

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
      if (const auto* b = env->body_as_Input()) return decode_input(*b);
      return missing();
    case w::Message::Snapshot:
      if (const auto* b = env->body_as_Snapshot()) return decode_snapshot(*b);
      return missing();
    case w::Message::MatchEvent:
      if (const auto* b = env->body_as_MatchEvent()) return decode_match_event(*b);
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
};

Encoder::Encoder() : impl_(std::make_unique<Impl>()) {}
Encoder::~Encoder() = default;

std::span<const std::uint8_t> Encoder::encode(const Hello& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto token = m.join_token.empty() ? 0 : f.CreateVector(m.join_token);
  const auto name = m.guest_name.empty() ? 0 : f.CreateString(m.guest_name);
  const auto build = m.client_build.empty() ? 0 : impl_->str(m.client_build, kMaxClientBuildBytes);
  return impl_->finish(w::Message::Hello, w::CreateHello(f, m.protocol_version, token, name, build));
}

std::span<const std::uint8_t> Encoder::encode(const Welcome& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto map = impl_->str(m.map_name, kMaxNameBytes);
  const auto sid = impl_->str(m.server_id, kMaxNameBytes * 2);
  return impl_->finish(w::Message::Welcome,
                       w::CreateWelcome(f, m.protocol_version, m.player_id, m.arena_id, m.entity_id, m.tick_rate,
                                        m.snapshot_interval, m.server_tick, map, sid));
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
  return impl_->finish(w::Message::Input, w::CreateInput(f, m.ack_snapshot, vec));
}

std::span<const std::uint8_t> Encoder::encode(const Snapshot& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto ents = f.CreateVector(m.entities.data(), m.entities.size());
  return impl_->finish(w::Message::Snapshot,
                       w::CreateSnapshot(f, m.server_tick, m.baseline_tick, m.last_input, ents));
}

std::span<const std::uint8_t> Encoder::encode(const MatchEvent& m) {
  auto& f = impl_->fbb;
  f.Clear();
  fb::Offset<void> body;
  w::MatchEventBody type = w::MatchEventBody::NONE;
  if (const auto* j = std::get_if<PlayerJoined>(&m.body)) {
    const auto name = impl_->str(j->name, kMaxNameBytes);
    body = w::CreatePlayerJoined(f, j->player_id, j->entity_id, name, j->team).Union();
    type = w::MatchEventBody::PlayerJoined;
  } else if (const auto* l = std::get_if<PlayerLeft>(&m.body)) {
    body = w::CreatePlayerLeft(f, l->player_id, l->entity_id).Union();
    type = w::MatchEventBody::PlayerLeft;
  }
  return impl_->finish(w::Message::MatchEvent, w::CreateMatchEvent(f, m.tick, type, body));
}

std::span<const std::uint8_t> Encoder::encode(const Message& m) {
  return std::visit([this](const auto& msg) { return encode(msg); }, m);
}

}  // namespace qbot::proto
