// Fuzz target: the catalog and map JSON loaders (shared/content): the data
// files an operator points --catalog / --maps-dir at, and that tools read.
// The first byte picks the loader. Accepted content must verify again in its
// canonical binary form (the form replays embed), or the target aborts.
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "content/catalog_loader.h"
#include "content/map_loader.h"
#include "fuzz_seeds.h"

using namespace qbot;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view json(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto file = content::parse_catalog_json(json, "fuzz.json");
    if (file && !content::catalog_from_binary(file->binary)) std::abort();  // its own binary form must verify
  } else {
    auto file = content::parse_map_json(json, "fuzz.json");
    if (file && !content::map_from_binary(file->binary)) std::abort();
  }
  return 0;
}

namespace {
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

std::vector<std::vector<std::uint8_t>> qbot_fuzz_seeds() {
  std::vector<std::vector<std::uint8_t>> out;
  auto add = [&out](std::uint8_t selector, const std::string& text) {
    std::vector<std::uint8_t> s{selector};
    s.insert(s.end(), text.begin(), text.end());
    out.push_back(std::move(s));
  };
  // The shipped data files (checked in under shared/data), plus a few small
  // near-misses so mutations start near the checks.
  const std::string data = QBOT_SOURCE_DIR "/shared/data/";
  add(0, read_file(data + "catalog.json"));
  add(1, read_file(data + "maps/crossfire.json"));
  add(1, read_file(data + "maps/foundry.json"));
  add(0, "{}");
  add(0, R"({"weapons":[{"damage":0}]})");
  add(1, R"({"name":"m","width":10,"height":10,"walls":[],"spawns":[]})");
  add(1, "[1,2,3]");
  return out;
}
