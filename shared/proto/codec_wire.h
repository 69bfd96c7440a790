#pragma once
// Internal to the codec (include from shared/proto/*.cpp only): the wire
// types, the helpers every message's decoder shares, each message's decoder,
// and the Encoder's builder. Decoders take a VERIFIED table (decode() runs
// the FlatBuffers Verifier first) and check every enum, range, count and
// length; a failure is BadField naming the field.
#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <string>
#include <vector>

#include "proto/codec.h"
#include "qbot/schemas/messages_generated.h"

namespace qbot::proto::codec_detail {
namespace fb = flatbuffers;
namespace w = qbot::wire;

using DecodeResult = core::Result<Message, DecodeError>;

/// A BadField error naming `field`.
inline core::Err<DecodeError> bad(std::string field) {
  return core::Err{DecodeError{DecodeErrorKind::BadField, std::move(field)}};
}

/// Copies a verified string if it is at most `max` bytes; nullptr -> "".
/// False (out untouched) when longer.
bool take_string(const fb::String* s, std::size_t max, std::string& out);
/// Copies a verified byte vector if it is at most `max` bytes; nullptr ->
/// empty. False (out untouched) when longer.
bool take_bytes(const fb::Vector<std::uint8_t>* v, std::size_t max, std::vector<std::uint8_t>& out);
/// Sizes only: whether the parts exist and fit the budget is the catalog's
/// call. False with `bad_field` set ("loadout.chassis") when one is too long.
bool decode_loadout(const w::Loadout& l, Loadout& out, std::string& bad_field);

// Handshake (codec_handshake.cpp)
DecodeResult decode_hello(const w::Hello& h);
DecodeResult decode_welcome(const w::Welcome& h);
DecodeResult decode_reject(const w::Reject& h);
// Match traffic (codec_match.cpp)
DecodeResult decode_input(const w::Input& h);
DecodeResult decode_snapshot(const w::Snapshot& h);
DecodeResult decode_match_event(const w::MatchEvent& h);
// Lobby: garage and queue (codec_lobby.cpp)
DecodeResult decode_garage_request(const w::GarageRequest& h);
DecodeResult decode_garage_reply(const w::GarageReply& h);
DecodeResult decode_queue_request(const w::QueueRequest& h);
DecodeResult decode_queue_status(const w::QueueStatus& h);
DecodeResult decode_match_assigned(const w::MatchAssigned& h);

}  // namespace qbot::proto::codec_detail

namespace qbot::proto {
namespace fb = flatbuffers;
namespace w = qbot::wire;

/// The Encoder's one reusable builder and the pieces several messages share.
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

}  // namespace qbot::proto
