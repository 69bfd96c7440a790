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
  std::vector<std::uint8_t> binary;  // canonical FlatBuffer; map.identity hashes it
};

core::Result<MapFile, ContentError> parse_map_json(std::string_view json, std::string_view source_name);
core::Result<MapFile, ContentError> load_map_file(const std::filesystem::path& path);
core::Result<sim::Map, ContentError> map_from_binary(std::span<const std::uint8_t> bytes,
                                                     std::string_view source_name = "map");
/// Every *.json in `dir`, sorted by map name; duplicate names are an error.
core::Result<std::vector<MapFile>, ContentError> load_maps_dir(const std::filesystem::path& dir);

}  // namespace qbot::content
