#include "content/json_document.h"

#include <flatbuffers/idl.h>

#include <fstream>

#include "core/text.h"

namespace qbot::content {
namespace {

/// The parser's message quotes pieces of the input (field names, values):
/// keep it printable and short before it reaches a log or a terminal.
std::string printable_parser_error(const std::string& error) {
  constexpr std::size_t kMaxBytes = 1000;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < error.size() && out.size() < kMaxBytes; ++i) {
    const auto c = static_cast<unsigned char>(error[i]);
    if (core::is_printable_ascii(static_cast<char>(c)) || c == '\n') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (out.size() >= kMaxBytes) out += "...";
  return out;
}

}  // namespace

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
  // ParseJson, not Parse: a data file may hold one JSON object and nothing
  // else. Parse would also obey schema directives in it (`include "..."`
  // reads other files, `root_type` swaps the table being parsed).
  if (!parser.ParseJson(text.c_str())) {
    return core::Err{ContentError{std::string(source_name) + ": " + printable_parser_error(parser.error_)}};
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
  if (!in) return core::Err{ContentError{path.string() + ": cannot open"}};
  // Read in chunks up to one byte past the limit rather than trusting
  // file_size: the file may grow meanwhile, and must not be read forever.
  std::string text;
  text.reserve(static_cast<std::size_t>(size));
  char chunk[16384];
  while (text.size() <= kMaxContentFileBytes && in.read(chunk, sizeof chunk).gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return core::Err{ContentError{path.string() + ": cannot read"}};
  if (text.size() > kMaxContentFileBytes) {
    return core::Err{ContentError{path.string() + ": larger than " + std::to_string(kMaxContentFileBytes) + " bytes"}};
  }
  return text;
}

std::filesystem::path default_data_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "qbot-arena";
    if (std::filesystem::is_regular_file(installed / "catalog.json", ec)) return installed;
  }
  return QBOT_DATA_DIR;
}

}  // namespace qbot::content
