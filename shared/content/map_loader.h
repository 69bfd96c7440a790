#pragma once
// Arena maps from their JSON data files (schemas/map.fbs), every field
// checked; the binary form is kept for replays, like the catalog's.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "content/content_error.h"
#include "content/json_document.h"
#include "core/result.h"
#include "sim/map.h"

namespace qbot::content {

struct MapFile {
  sim::Map map;
  std::vector<std::uint8_t> binary;  // canonical FlatBuffer (map_to_binary); map.identity hashes it
};

/// Most map files one directory may hold: a server rotates through a few.
constexpr std::size_t kMaxMapFiles = 256;

/// JSON text -> checked map; errors like "arena.json: spawns[2]: inside walls[0]".
core::Result<MapFile, ContentError> parse_map_json(std::string_view json, std::string_view source_name);
core::Result<MapFile, ContentError> load_map_file(const std::filesystem::path& path);
/// Verifies and range-checks a binary map (e.g. embedded in a replay).
core::Result<sim::Map, ContentError> map_from_binary(std::span<const std::uint8_t> bytes,
                                                     std::string_view source_name = "map");
/// The canonical binary form: equal maps give equal bytes. Does not validate.
std::vector<std::uint8_t> map_to_binary(const sim::Map& map);
/// Every *.json in `dir` (at most kMaxMapFiles), sorted by map name. Fails on
/// the first bad file, on an empty directory and on two maps with one name.
core::Result<std::vector<MapFile>, ContentError> load_maps_dir(const std::filesystem::path& dir);

}  // namespace qbot::content
