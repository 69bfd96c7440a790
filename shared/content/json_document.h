#pragma once
// JSON data file -> binary FlatBuffer, checked against one of our embedded
// content schemas by flatbuffers::Parser: syntax errors and unknown fields
// come back with the parser's line number.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "content/content_error.h"
#include "core/result.h"

namespace qbot::content {

/// Largest data file we read: content is small, a huge file is a mistake.
constexpr std::size_t kMaxContentFileBytes = 4u << 20;

core::Result<std::vector<std::uint8_t>, ContentError> json_to_binary(const char* schema_text, std::string_view json,
                                                                     std::string_view source_name);

core::Result<std::string, ContentError> read_text_file(const std::filesystem::path& path);

/// Where the shipped catalog.json and maps/ live: `<exe>/../share/qbot-arena`
/// when the binary runs from an install (`cmake --install`), otherwise the
/// source tree it was built from.
std::filesystem::path default_data_dir();

}  // namespace qbot::content
