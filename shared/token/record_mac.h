#pragma once
// Authenticated records: what one server of a fleet writes into the shared
// store for another (registry entries, tickets, match assignments, inbox
// entries, result markers) carries a tag that only holders of the fleet key
// can make, so a stray or planted record is told apart from a real one.
//
// The tag is HMAC-SHA-512-256 (libsodium crypto_auth) under a key derived
// from the fleet key for this one purpose (record_key), so a record tag can
// never pass as a join or account token and vice versa. The MAC covers a
// list of parts, each prefixed with its length (u32 little-endian), so no
// two different lists give the same input ("ab","c" vs "a","bc").
// Verification is constant time and never reads past its inputs.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "token/token.h"

namespace qbot::token {

constexpr std::size_t kRecordMacBytes = 32;
using RecordMac = std::array<std::uint8_t, kRecordMacBytes>;
constexpr std::size_t kDigestBytes = 32;
using Digest = std::array<std::uint8_t, kDigestBytes>;

/// The key that signs store records, derived (keyed BLAKE2b) from the fleet
/// key: every server holding the same fleet key derives the same one.
Key record_key(const Key& fleet_key);

/// The tag of the record made of `parts` (in order).
RecordMac record_mac(const Key& key, std::initializer_list<std::string_view> parts);
/// True if `tag` is exactly the tag of `parts` (constant time). A tag of
/// the wrong length is false.
bool record_mac_verifies(const Key& key, std::initializer_list<std::string_view> parts,
                         std::span<const std::uint8_t> tag);

/// BLAKE2b-256 of `bytes`: a fingerprint of content (not secret, not a MAC).
Digest digest(std::string_view bytes);

/// Lower-case hex of `bytes` (2 characters per byte).
std::string to_hex(std::span<const std::uint8_t> bytes);
/// The 32 bytes written as exactly 64 hex digits (either case); nullopt for
/// anything else (another length, a non-hex character).
std::optional<std::array<std::uint8_t, 32>> from_hex32(std::string_view hex);

}  // namespace qbot::token
