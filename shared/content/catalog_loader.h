#pragma once
// The parts catalog from its JSON data file (schemas/catalog.fbs), with every
// field range-checked. The binary form is kept: replays embed it, and
// catalog_from_binary reads it back through the same checks.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "content/content_error.h"
#include "content/json_document.h"
#include "core/result.h"
#include "sim/catalog.h"

namespace qbot::content {

struct CatalogFile {
  sim::Catalog catalog;
  std::vector<std::uint8_t> binary;  // canonical FlatBuffer; catalog.identity hashes it
};

core::Result<CatalogFile, ContentError> parse_catalog_json(std::string_view json, std::string_view source_name);
core::Result<CatalogFile, ContentError> load_catalog_file(const std::filesystem::path& path);
/// Verifies (FlatBuffers Verifier) and range-checks a binary catalog.
core::Result<sim::Catalog, ContentError> catalog_from_binary(std::span<const std::uint8_t> bytes,
                                                             std::string_view source_name = "catalog");

}  // namespace qbot::content
