#pragma once
// Recording <-> .qreplay bytes. Reading verifies the FlatBuffer and every
// index and ordering rule, so a corrupt or hostile file is an error, never
// a crash or a silently different match.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "replay/recording.h"

namespace qbot::replay {

std::vector<std::uint8_t> encode_recording(const Recording& rec);
core::Result<Recording, std::string> decode_recording(std::span<const std::uint8_t> bytes);

/// Writes atomically (temp file + rename) so a crash never leaves half a replay.
core::Result<bool, std::string> write_file(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
core::Result<std::vector<std::uint8_t>, std::string> read_file(const std::filesystem::path& path,
                                                               std::size_t max_bytes);

}  // namespace qbot::replay
