#pragma once
// The parts catalog from its JSON data file (schemas/catalog.fbs), with every
// field range-checked. The binary form is kept: replays embed it, and
// catalog_from_binary reads it back through the same checks. Failures are
// values: "<source>: <field path>: <problem>", e.g.
// "catalog.json: weapons[2].damage: must be 1..1000, got 0".
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
  std::vector<std::uint8_t> binary;  // canonical FlatBuffer (catalog_to_binary); catalog.identity hashes it
};

/// JSON text -> checked catalog. Syntax errors and unknown fields carry the
/// parser's "line: column"; `source_name` starts every message.
core::Result<CatalogFile, ContentError> parse_catalog_json(std::string_view json, std::string_view source_name);
/// Reads at most kMaxContentFileBytes, then parse_catalog_json.
core::Result<CatalogFile, ContentError> load_catalog_file(const std::filesystem::path& path);
/// Verifies (FlatBuffers Verifier, bounded depth and tables) and range-checks
/// a binary catalog, e.g. one embedded in a replay. Never trusts the bytes.
core::Result<sim::Catalog, ContentError> catalog_from_binary(std::span<const std::uint8_t> bytes,
                                                             std::string_view source_name = "catalog");
/// The canonical binary form: equal catalogs give equal bytes (the identity
/// is FNV-1a 64 of them). Does not validate; catalog_from_binary does.
std::vector<std::uint8_t> catalog_to_binary(const sim::Catalog& catalog);

}  // namespace qbot::content
