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
constexpr std::size_t kMaxNameBytes = 32;
constexpr int kMaxTeam = 7;  // team ids a spawn may prefer; 0 = any
}  // namespace

core::Result<sim::Map, ContentError> map_from_binary(std::span<const std::uint8_t> bytes,
                                                     std::string_view source_name) {
  const auto fail = [&](const std::string& what) {
    return core::Err{ContentError{std::string(source_name) + ": " + what}};
  };
  // The Verifier asserts (compiled out in release) rather than fails on
  // buffers near 2 GiB; ours are a few KiB, so refuse anything huge first.
  if (bytes.size() > kMaxContentFileBytes) {
    return fail("binary map larger than " + std::to_string(kMaxContentFileBytes) + " bytes");
  }
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 8;
  opts.max_tables = 1024;
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), opts);
  if (bytes.empty() || !fbd::VerifyMapBuffer(verifier)) return fail("not a valid binary map");
  const fbd::Map& in = *fbd::GetMap(bytes.data());

  sim::Map out;
  FieldCheck check;
  out.name = in.name() != nullptr ? in.name()->str() : "";
  check.identifier("name", out.name, kMaxNameBytes);
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
    check.range<int>(at + ".team", spawn.team, 0, kMaxTeam);
    for (std::size_t w = 0; w < out.walls.size() && !check.failed(); ++w) {
      if (sim::point_in_box(spawn.pos, out.walls[w])) check.fail(at, "inside walls[" + std::to_string(w) + "]");
    }
    out.spawns.push_back(spawn);
  }
  if (check.failed()) return fail(check.error());

  // Hash the canonical bytes, not the ones given (see catalog_from_binary).
  const std::vector<std::uint8_t> canonical = map_to_binary(out);
  core::Fnv1a h;
  h.bytes(canonical.data(), canonical.size());
  out.identity = h.value();
  return out;
}

std::vector<std::uint8_t> map_to_binary(const sim::Map& map) {
  flatbuffers::FlatBufferBuilder fbb(1024);
  // A fixed call sequence: equal maps serialize to equal bytes.
  std::vector<flatbuffers::Offset<fbd::Box>> walls;
  for (const sim::Box& b : map.walls) walls.push_back(fbd::CreateBox(fbb, b.min.x, b.min.y, b.max.x, b.max.y));
  std::vector<flatbuffers::Offset<fbd::Spawn>> spawns;
  for (const sim::Spawn& sp : map.spawns) spawns.push_back(fbd::CreateSpawn(fbb, sp.pos.x, sp.pos.y, sp.team));
  const auto name = fbb.CreateString(map.name);
  const auto wall_vec = fbb.CreateVector(walls);
  const auto spawn_vec = fbb.CreateVector(spawns);
  fbd::FinishMapBuffer(fbb, fbd::CreateMap(fbb, name, map.width, map.height, wall_vec, spawn_vec));
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

core::Result<MapFile, ContentError> parse_map_json(std::string_view json, std::string_view source_name) {
  auto binary = json_to_binary(schemas::kMapFbs, json, source_name);
  if (!binary) return core::Err{binary.error()};
  auto map = map_from_binary(binary.value(), source_name);
  if (!map) return core::Err{map.error()};
  // Keep the canonical form (the one the identity hashes), not the parser's.
  std::vector<std::uint8_t> canonical = map_to_binary(map.value());
  return MapFile{std::move(map.value()), std::move(canonical)};
}

core::Result<MapFile, ContentError> load_map_file(const std::filesystem::path& path) {
  auto text = read_text_file(path);
  if (!text) return core::Err{text.error()};
  return parse_map_json(text.value(), path.string());
}

core::Result<std::vector<MapFile>, ContentError> load_maps_dir(const std::filesystem::path& dir) {
  const auto fail = [&](const std::string& what) { return core::Err{ContentError{dir.string() + ": " + what}}; };
  // increment(ec), not ++: the throwing forms would let a filesystem_error
  // escape (a directory that vanishes or stops being readable mid-listing).
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::filesystem::path& p = it->path();
    // Its own error code: a dangling link is kept and reported by name when read.
    std::error_code entry_ec;
    if (p.extension() != ".json" || it->is_directory(entry_ec)) continue;
    if (files.size() == kMaxMapFiles) return fail("more than " + std::to_string(kMaxMapFiles) + " *.json files");
    files.push_back(p);
  }
  if (ec) return fail(ec.message());
  if (files.empty()) return fail("no *.json map files");
  // Load in path order so that which bad file is reported does not depend
  // on the order the filesystem lists them in.
  std::sort(files.begin(), files.end());

  std::vector<std::pair<MapFile, std::filesystem::path>> loaded;
  for (const auto& file : files) {
    auto m = load_map_file(file);
    if (!m) return core::Err{m.error()};
    loaded.emplace_back(std::move(m.value()), file);
  }
  // Stable: two files with one map name stay in path order for the message.
  std::stable_sort(loaded.begin(), loaded.end(),
                   [](const auto& a, const auto& b) { return a.first.map.name < b.first.map.name; });
  for (std::size_t i = 1; i < loaded.size(); ++i) {
    if (loaded[i].first.map.name == loaded[i - 1].first.map.name) {
      return fail("two maps named " + FieldCheck::quoted(loaded[i].first.map.name) + ": " +
                  loaded[i - 1].second.filename().string() + " and " + loaded[i].second.filename().string());
    }
  }
  std::vector<MapFile> maps;
  maps.reserve(loaded.size());
  for (auto& [map, path] : loaded) maps.push_back(std::move(map));
  return maps;
}

}  // namespace qbot::content
