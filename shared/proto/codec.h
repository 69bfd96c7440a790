#pragma once
// Encoding and decoding of packets: Envelopes on channel 0, bare Input /
// Snapshot tables on channel 1. Decoding IS verification: the
// FlatBuffers Verifier (with tight depth/table limits) runs first, then every
// enum, range, count and string length is checked. A failure names the field.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "proto/messages.h"

namespace qbot::proto {

enum class DecodeErrorKind : std::uint8_t {
  Empty,           // zero-length packet
  TooLarge,        // over the byte limit for this direction
  Malformed,       // FlatBuffers verification failed (truncated, garbage)
  UnknownMessage,  // union type we do not know (newer peer or garbage)
  BadField,        // verified, but a field is out of range
};
constexpr std::size_t kDecodeErrorKindCount = 5;
std::string_view decode_error_name(DecodeErrorKind k);

struct DecodeError {
  DecodeErrorKind kind;
  std::string field;  // which field (empty unless BadField)
  std::string describe() const;
};

/// Who sent the bytes: sets the size and verifier limits.
enum class Sender : std::uint8_t { Client, Server };

/// Decodes one packet received on `channel` (0: Envelope; 1: a bare Input
/// from a client or Snapshot from a server). For Snapshot the result refers
/// into `bytes`.
core::Result<Message, DecodeError> decode(std::span<const std::uint8_t> bytes, Sender sender, std::uint8_t channel);

/// Builds packets (Envelope, or the bare table for Input and Snapshot).
/// Reuses one FlatBufferBuilder; the returned span is valid
/// until the next call on the same Encoder. One Encoder per thread.
class Encoder {
 public:
  Encoder();
  ~Encoder();
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  std::span<const std::uint8_t> encode(const Hello& m);
  std::span<const std::uint8_t> encode(const Welcome& m);
  std::span<const std::uint8_t> encode(const Reject& m);
  std::span<const std::uint8_t> encode(const Input& m);
  std::span<const std::uint8_t> encode(const Snapshot& m);
  std::span<const std::uint8_t> encode(const MatchEvent& m);
  std::span<const std::uint8_t> encode(const GarageRequest& m);
  std::span<const std::uint8_t> encode(const GarageReply& m);
  std::span<const std::uint8_t> encode(const QueueRequest& m);
  std::span<const std::uint8_t> encode(const CancelQueue& m);
  std::span<const std::uint8_t> encode(const QueueStatus& m);
  std::span<const std::uint8_t> encode(const MatchAssigned& m);
  std::span<const std::uint8_t> encode(const Message& m);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qbot::proto
