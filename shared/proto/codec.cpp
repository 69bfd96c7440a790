#include "proto/codec.h"

#include "proto/codec_wire.h"

// decode(): size limits, the Verifier, then the message's own decoder; the
// helpers every decoder shares; the Encoder's one entry point for any Message.
// Each message's decoder and encoder live with their kind: codec_handshake,
// codec_match, codec_lobby; names of enums for logs and metrics: codec_names.
namespace qbot::proto {

namespace codec_detail {

bool take_string(const fb::String* s, std::size_t max, std::string& out) {
  if (s == nullptr) return true;
  if (s->size() > max) return false;
  out.assign(s->c_str(), s->size());
  return true;
}

bool take_bytes(const fb::Vector<std::uint8_t>* v, std::size_t max, std::vector<std::uint8_t>& out) {
  if (v == nullptr) return true;
  if (v->size() > max) return false;
  out.assign(v->begin(), v->end());
  return true;
}

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

}  // namespace codec_detail

using namespace codec_detail;

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
    default: break;
  }
  return core::Err{DecodeError{DecodeErrorKind::UnknownMessage, "body"}};
}

Encoder::Encoder() : impl_(std::make_unique<Impl>()) {}
Encoder::~Encoder() = default;

std::span<const std::uint8_t> Encoder::encode(const Message& m) {
  return std::visit([this](const auto& msg) { return encode(msg); }, m);
}

}  // namespace qbot::proto
