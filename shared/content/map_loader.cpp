#include "content/map_loader.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>

#include "content/field_check.h"
#include "core/hash.h"
#include "qbot/schemas/map_generated.h"
#include "qbot/schemas/schema_text.h"
#include "sim/geometry.h"

namespace qbot::content {
namespace fbd = qbot::data;  // generated from schemas/map.fbs

namespace {
constexpr std::size_t kMaxWalls = 256;
constexpr std::size_t kMaxSpawns = 64;
constexpr float kSpawnMargin = 1.0f;  // m from the map edge
}  // namespace

core::Result<sim::Map, ContentError> map_from_binary(std::span<const std::uint8_t> bytes,
                                                     std::string_view source_name) {
  const auto fail = [&](const std::string& what) { return core::Err{ContentError{std::string(source_name) + ": " + what}}; };
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 8;
  opts.max_tables = 1024;
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), opts);
  if (bytes.empty() || !fbd::VerifyMapBuffer(verifier)) return fail("not a valid binary map");
  const fbd::Map& in = *fbd::GetMap(bytes.data());

  sim::Map out;
  FieldCheck check;
  out.name = in.name() != nullptr ? in.name()->str() : "";
  check.identifier("name", out.name, 32);
  out.width = in.width();
  out.height = in.height();
  check.range("width", out.width, 8.0f, 512.0f);
  check.range("height", out.height, 8.0f, 512.0f);
  if (check.failed()) return fail(check.error());

  const std::size_t walls = in.walls() != nullptr ? in.walls()->size() : 0;
  if (walls > kMaxWalls) check.fail("walls", "at most " + std::to_string(kMaxWalls) + ", got " + std::to_string(walls));
  for (std::size_t i = 0; i < walls && !check.failed(); ++i) {
    const fbd::Box& b = *in.walls()->Get(static_cast<flatbuffers::uoffset_t>(i));
    const std::string at = "walls[" + std::to_string(i) + "]";
    const sim::Box box{{b.min_x(), b.min_y()}, {b.max_x(), b.max_y()}};
    check.range(at + ".min_x", box.min.x, 0.0f, out.width);
    check.range(at + ".max_x", box.max.x, 0.0f, out.width);
    check.range(at + ".min_y", box.min.y, 0.0f, out.height);
    check.range(at + ".max_y", box.max.y, 0.0f, out.height);
    if (!check.failed() && !(box.min.x < box.max.x && box.min.y < box.max.y)) {
      check.fail(at, "min must be below max on both axes");
    }
    out.walls.push_back(box);
  }

  const std::size_t spawns = in.spawns() != nullptr ? in.spawns()->size() : 0;
  if (spawns == 0 || spawns > kMaxSpawns) {
    check.fail("spawns", "must have 1.." + std::to_string(kMaxSpawns) + " entries, got " + std::to_string(spawns));
  }
  for (std::size_t i = 0; i < spawns && !check.failed(); ++i) {
    const fbd::Spawn& s = *in.spawns()->Get(static_cast<flatbuffers::uoffset_t>(i));
    const std::string at = "spawns[" + std::to_string(i) + "]";
    const sim::Spawn spawn{{s.x(), s.y()}, s.team()};
    check.range(at + ".x", spawn.pos.x, kSpawnMargin, out.width - kSpawnMargin);
    check.range(at + ".y", spawn.pos.y, kSpawnMargin, out.height - kSpawnMargin);
    check.range<int>(at + ".team", spawn.team, 0, 7);
    for (std::size_t w = 0; w < out.walls.size() && !check.failed(); ++w) {
      if (sim::point_in_box(spawn.pos, out.walls[w])) check.fail(at, "inside walls[" + std::to_string(w) + "]");
    }
    out.spawns.push_back(spawn);
  }
  if (check.failed()) return fail(check.error());

  core::Fnv1a h;
  h.bytes(bytes.data(), bytes.size());
  out.identity = h.value();
  return out;
}

core::Result<MapFile, ContentError> parse_map_json(std::string_view json, std::string_view source_name) {
  auto binary = json_to_binary(schemas::kMapFbs, json, source_name);
  if (!binary) return core::Err{binary.error()};
  auto map = map_from_binary(binary.value(), source_name);
  if (!map) return core::Err{map.error()};
  return MapFile{std::move(map.value()), std::move(binary.value())};
}

core::Result<MapFile, ContentError> load_map_file(const std::filesystem::path& path) {
  auto text = read_text_file(path);
  if (!text) return core::Err{text.error()};
  return parse_map_json(text.value(), path.string());
}

core::Result<std::vector<MapFile>, ContentError> load_maps_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) return core::Err{ContentError{dir.string() + ": " + ec.message()}};
  std::vector<MapFile> maps;
  for (const auto& file : files) {
    auto m = load_map_file(file);
    if (!m) return core::Err{m.error()};
    maps.push_back(std::move(m.value()));
  }
  std::sort(maps.begin(), maps.end(), [](const MapFile& a, const MapFile& b) { return a.map.name < b.map.name; });
  for (std::size_t i = 1; i < maps.size(); ++i) {
    if (maps[i].map.name == maps[i - 1].map.name) {
      return core::Err{ContentError{dir.string() + ": two maps named \"" + maps[i].map.name + "\""}};
    }
  }
  return maps;
}

}  // namespace qbot::content
