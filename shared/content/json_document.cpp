#include "content/json_document.h"

#include <flatbuffers/idl.h>

#include <fstream>
#include <sstream>

namespace qbot::content {

core::Result<std::vector<std::uint8_t>, ContentError> json_to_binary(const char* schema_text, std::string_view json,
                                                                      std::string_view source_name) {
  flatbuffers::IDLOptions opts;
  opts.skip_unexpected_fields_in_json = false;  // a misspelt field must not be silently ignored
  flatbuffers::Parser parser(opts);
  if (!parser.Parse(schema_text)) {
    return core::Err{ContentError{"internal: embedded schema does not parse: " + parser.error_}};
  }
  const std::string text(json);  // Parse needs a NUL-terminated string
  if (text.find('\0') != std::string::npos) {
    return core::Err{ContentError{std::string(source_name) + ": contains a NUL byte"}};
  }
  if (!parser.Parse(text.c_str())) {
    return core::Err{ContentError{std::string(source_name) + ": " + parser.error_}};
  }
  const auto* data = parser.builder_.GetBufferPointer();
  return std::vector<std::uint8_t>(data, data + parser.builder_.GetSize());
}

core::Result<std::string, ContentError> read_text_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return core::Err{ContentError{path.string() + ": " + ec.message()}};
  if (size > kMaxContentFileBytes) {
    return core::Err{ContentError{path.string() + ": larger than " + std::to_string(kMaxContentFileBytes) + " bytes"}};
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in) return core::Err{ContentError{path.string() + ": cannot read"}};
  return ss.str();
}

std::filesystem::path default_data_dir() { return QBOT_DATA_DIR; }

}  // namespace qbot::content
