// The map loader: the shipped maps load, every field is checked with an
// error that names it, binary maps go through the same checks, and a maps
// directory loads sorted by name with duplicates refused.
#include <gtest/gtest.h>

#include <cctype>
#include <ostream>

#include <filesystem>
#include <fstream>
#include <limits>

#include "content/map_loader.h"
#include "process.h"
#include "replaced.h"
#include "sim/geometry.h"

using namespace qbot;
using namespace qbot::content;

using qbot::test::replaced;

namespace {

// A map the tests own. Values a test mutates are unique in the text.
const std::string kGoodMap = R"({
  "name": "testyard",
  "width": 64,
  "height": 48,
  "walls": [
    {"min_x": 10, "min_y": 10, "max_x": 20, "max_y": 12},
    {"min_x": 30, "min_y": 20, "max_x": 34, "max_y": 28}
  ],
  "spawns": [
    {"x": 4, "y": 4, "team": 1},
    {"x": 60, "y": 44, "team": 2},
    {"x": 32, "y": 40}
  ]
}
)";

std::string error_of(const std::string& json) {
  auto m = parse_map_json(json, "m.json");
  return m ? std::string("accepted") : m.error().message;
}

std::string spawn_list(int n) {
  std::string list = "[";
  for (int i = 0; i < n; ++i) {
    list += std::string(i == 0 ? "" : ",") + R"({"x": 5, "y": )" + std::to_string(2 + i % 40) + "}";
  }
  return list + "]";
}

std::string wall_list(int n) {
  std::string list = "[";
  for (int i = 0; i < n; ++i) {
    list += std::string(i == 0 ? "" : ",") + R"({"min_x": 40, "min_y": 1, "max_x": 41, "max_y": 2})";
  }
  return list + "]";
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace

TEST(MapLoader, ShippedMapsLoadSortedByName) {
  auto maps = load_maps_dir(default_data_dir() / "maps");
  ASSERT_TRUE(maps) << maps.error().message;
  ASSERT_EQ(maps.value().size(), 2u);
  const sim::Map& crossfire = maps.value()[0].map;
  const sim::Map& foundry = maps.value()[1].map;
  EXPECT_EQ(crossfire.name, "crossfire");
  EXPECT_EQ(foundry.name, "foundry");
  EXPECT_NE(crossfire.identity, foundry.identity);

  EXPECT_FLOAT_EQ(foundry.width, 64.0f);
  EXPECT_FLOAT_EQ(foundry.height, 64.0f);
  EXPECT_EQ(foundry.walls.size(), 5u);
  EXPECT_EQ(foundry.spawns.size(), 16u);
  for (const sim::Spawn& s : foundry.spawns) {
    // Left half for team 1, right half for team 2, the centre line for anyone.
    const std::uint8_t team = s.pos.x < 32.0f ? 1 : s.pos.x > 32.0f ? 2 : 0;
    EXPECT_EQ(s.team, team) << s.pos.x << "," << s.pos.y;
  }

  EXPECT_NE(crossfire.width, crossfire.height);
  EXPECT_GE(crossfire.spawns.size(), 16u);
  int team1 = 0, team2 = 0;
  for (const sim::Spawn& s : crossfire.spawns) {
    team1 += s.team == 1;
    team2 += s.team == 2;
  }
  EXPECT_EQ(team1, team2);
  EXPECT_GE(team1, 8);

  for (const MapFile& m : maps.value()) {
    auto again = map_from_binary(m.binary);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again.value().identity, m.map.identity);
    EXPECT_EQ(map_to_binary(again.value()), m.binary);
  }
}

TEST(MapLoader, TheTestMapLoadsWithEveryFieldInPlace) {
  auto m = parse_map_json(kGoodMap, "m.json");
  ASSERT_TRUE(m) << m.error().message;
  const sim::Map& map = m.value().map;
  EXPECT_EQ(map.name, "testyard");
  EXPECT_FLOAT_EQ(map.width, 64.0f);
  EXPECT_FLOAT_EQ(map.height, 48.0f);
  ASSERT_EQ(map.walls.size(), 2u);
  EXPECT_FLOAT_EQ(map.walls[1].min.x, 30.0f);
  EXPECT_FLOAT_EQ(map.walls[1].max.y, 28.0f);
  ASSERT_EQ(map.spawns.size(), 3u);
  EXPECT_FLOAT_EQ(map.spawns[1].pos.x, 60.0f);
  EXPECT_EQ(map.spawns[1].team, 2);
  EXPECT_EQ(map.spawns[2].team, 0);  // schema default: any team
}

struct BadMap {
  const char* from;
  const char* to;
  const char* expected;  // substring of the error
};
// Test names show the expected error (letters and digits only, so ctest and
// CMake lists take them as they are), not the struct's bytes (pointers).
void PrintTo(const BadMap& b, std::ostream* os) {
  for (const char* c = b.expected; *c != 0; ++c) *os << (std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_');
}

class MapFieldErrors : public ::testing::TestWithParam<BadMap> {};

TEST_P(MapFieldErrors, NameTheField) {
  const BadMap& b = GetParam();
  const std::string message = error_of(replaced(kGoodMap, b.from, b.to));
  EXPECT_NE(message.find(b.expected), std::string::npos) << message;
  EXPECT_EQ(message.rfind("m.json: ", 0), 0u) << "starts with the source: " << message;
}

INSTANTIATE_TEST_SUITE_P(
    Map, MapFieldErrors,
    ::testing::Values(BadMap{"\"name\": \"testyard\"", "\"name\": \"Test Yard\"",
                             "name: must be 1..32 of [a-z0-9_-], got \"Test Yard\""},
                      BadMap{"\"name\": \"testyard\"", "\"name\": \"\"", "name: must be 1..32"},
                      BadMap{"\"name\": \"testyard\"", "\"name\": \"a\\u001b[31m\"",
                             "name: must be 1..32 of [a-z0-9_-], got \"a\\x1b[31m\""},
                      BadMap{"\"width\": 64", "\"width\": 4", "width: must be 8..512, got 4"},
                      BadMap{"\"height\": 48", "\"height\": 600", "height: must be 8..512, got 600"},
                      BadMap{"\"height\": 48", "\"height\": nan", "height: must be 8..512, got nan"},
                      BadMap{"\"min_x\": 30", "\"min_x\": -1", "walls[1].min_x: must be 0..64, got -1"},
                      BadMap{"\"max_x\": 34", "\"max_x\": 70", "walls[1].max_x: must be 0..64, got 70"},
                      BadMap{"\"min_y\": 20", "\"min_y\": 49", "walls[1].min_y: must be 0..48, got 49"},
                      BadMap{"\"max_y\": 12", "\"max_y\": 50", "walls[0].max_y: must be 0..48, got 50"},
                      BadMap{"\"max_x\": 20", "\"max_x\": 5", "walls[0]: min must be below max on both axes"},
                      BadMap{"\"max_y\": 28", "\"max_y\": 20", "walls[1]: min must be below max on both axes"},
                      BadMap{"\"x\": 4, \"y\": 4", "\"x\": 0.5, \"y\": 4", "spawns[0].x: must be 1..63, got 0.5"},
                      BadMap{"\"x\": 60, \"y\": 44", "\"x\": 60, \"y\": 47.5", "spawns[1].y: must be 1..47, got 47.5"},
                      BadMap{"\"x\": 32, \"y\": 40", "\"x\": 32, \"y\": 24", "spawns[2]: inside walls[1]"},
                      BadMap{"\"x\": 32, \"y\": 40", "\"x\": 10, \"y\": 10", "spawns[2]: inside walls[0]"},
                      BadMap{"\"team\": 2", "\"team\": 8", "spawns[1].team: must be 0..7, got 8"},
                      // The JSON parser's own errors carry line: column.
                      BadMap{"\"team\": 2", "\"team\": 256", "does not fit"},
                      BadMap{"\"team\": 2", "\"team\": -1", "does not fit"},
                      BadMap{"\"width\": 64", "\"width\": 64, \"depth\": 3", "unknown field: depth"},
                      BadMap{"\"min_x\": 10", "\"min_x\": 10, \"min_z\": 0", "unknown field: min_z"},
                      BadMap{"\"height\": 48,", "\"height\": 48", "m.json: 5:"}));

TEST(MapLoader, CountsAreBounded) {
  const std::string no_spawns = replaced(kGoodMap, R"({"x": 4, "y": 4, "team": 1},
    {"x": 60, "y": 44, "team": 2},
    {"x": 32, "y": 40})",
                                         "");
  EXPECT_NE(error_of(no_spawns).find("m.json: spawns: must have 1..64 entries, got 0"), std::string::npos)
      << error_of(no_spawns);
  EXPECT_NE(error_of(R"({"name": "t", "width": 64, "height": 64})").find("spawns: must have 1..64 entries, got 0"),
            std::string::npos);
  const std::string head = R"({"name": "t", "width": 64, "height": 48, )";
  EXPECT_EQ(error_of(head + R"("spawns": )" + spawn_list(64) + "}"), "accepted");
  EXPECT_NE(error_of(head + R"("spawns": )" + spawn_list(65) + "}").find("spawns: must have 1..64 entries, got 65"),
            std::string::npos);
  EXPECT_EQ(error_of(head + R"("walls": )" + wall_list(256) + R"(, "spawns": [{"x": 2, "y": 2}]})"), "accepted");
  EXPECT_NE(error_of(head + R"("walls": )" + wall_list(257) + R"(, "spawns": [{"x": 2, "y": 2}]})")
                .find("walls: at most 256, got 257"),
            std::string::npos);
}

TEST(MapLoader, GarbageTruncatedAndHugeBinariesAreRefused) {
  auto m = parse_map_json(kGoodMap, "m.json");
  ASSERT_TRUE(m);
  const std::vector<std::uint8_t>& bin = m.value().binary;
  for (std::size_t cut : {std::size_t{0}, std::size_t{3}, std::size_t{4}, bin.size() / 4, bin.size() / 2}) {
    auto r = map_from_binary({bin.data(), cut}, "replay");
    ASSERT_FALSE(r) << "cut at " << cut;
    EXPECT_EQ(r.error().message, "replay: not a valid binary map");
  }
  EXPECT_FALSE(map_from_binary(std::vector<std::uint8_t>(64, 0xff)));
  EXPECT_FALSE(map_from_binary(std::vector<std::uint8_t>(kMaxContentFileBytes + 1, 0x00)));
  for (std::size_t i = 0; i < bin.size(); ++i) {
    std::vector<std::uint8_t> flipped = bin;
    flipped[i] ^= 0xa5;
    auto r = map_from_binary(flipped);
    if (r) {
      EXPECT_FALSE(r.value().spawns.empty());
      for (const sim::Spawn& s : r.value().spawns) {
        for (const sim::Box& w : r.value().walls) EXPECT_FALSE(sim::point_in_box(s.pos, w));
      }
    }
  }
}

TEST(MapLoader, BinaryValuesAreCheckedLikeJsonOnes) {
  auto m = parse_map_json(kGoodMap, "m.json");
  ASSERT_TRUE(m);
  sim::Map bad = m.value().map;
  bad.walls[0].max.x = std::numeric_limits<float>::infinity();
  auto r = map_from_binary(map_to_binary(bad), "replay");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "replay: walls[0].max_x: must be 0..64, got inf");
  bad = m.value().map;
  bad.spawns[0].pos = {15.0f, 11.0f};
  r = map_from_binary(map_to_binary(bad), "replay");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "replay: spawns[0]: inside walls[0]");
}

TEST(MapLoader, IdentityFollowsContentNotFormatting) {
  const auto identity = [](const std::string& json) {
    auto m = parse_map_json(json, "m");
    EXPECT_TRUE(m) << m.error().message;
    return m ? m.value().map.identity : 0;
  };
  const std::uint64_t base = identity(kGoodMap);
  EXPECT_EQ(identity(kGoodMap), base);
  EXPECT_EQ(identity(replaced(kGoodMap, "\"width\": 64,\n  \"height\": 48,", "\"height\": 48.0, \"width\": 64.0,")),
            base);
  EXPECT_EQ(identity(replaced(kGoodMap, "{\"x\": 32, \"y\": 40}", "{\"team\": 0, \"y\": 40, \"x\": 32}")), base);
  EXPECT_NE(identity(replaced(kGoodMap, "\"x\": 32, \"y\": 40", "\"x\": 32, \"y\": 41")), base);
  EXPECT_NE(identity(replaced(kGoodMap, "\"name\": \"testyard\"", "\"name\": \"testyard2\"")), base);
  EXPECT_NE(identity(replaced(kGoodMap, "\"team\": 1", "\"team\": 2")), base);
}

TEST(MapLoader, DirectoryLoadsJsonFilesSortedByName) {
  const std::filesystem::path dir = test::temp_dir("maps");
  write_file(dir / "a.json", replaced(kGoodMap, "\"name\": \"testyard\"", "\"name\": \"zulu\""));
  write_file(dir / "b.json", replaced(kGoodMap, "\"name\": \"testyard\"", "\"name\": \"alpha\""));
  write_file(dir / "notes.txt", "not a map");
  std::filesystem::create_directory(dir / "sub.json");  // a directory is not a map file
  auto maps = load_maps_dir(dir);
  ASSERT_TRUE(maps) << maps.error().message;
  ASSERT_EQ(maps.value().size(), 2u);
  EXPECT_EQ(maps.value()[0].map.name, "alpha");
  EXPECT_EQ(maps.value()[1].map.name, "zulu");

  write_file(dir / "c.json", replaced(kGoodMap, "\"name\": \"testyard\"", "\"name\": \"zulu\""));
  auto dup = load_maps_dir(dir);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message, dir.string() + ": two maps named \"zulu\": a.json and c.json");

  write_file(dir / "c.json", replaced(kGoodMap, "\"width\": 64", "\"width\": 1"));
  auto bad = load_maps_dir(dir);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, (dir / "c.json").string() + ": width: must be 8..512, got 1");
  std::filesystem::remove_all(dir);
}

TEST(MapLoader, MissingOrEmptyDirectoryIsAnError) {
  const std::filesystem::path dir = test::temp_dir("maps-empty");
  auto empty = load_maps_dir(dir);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, dir.string() + ": no *.json map files");
  auto missing = load_maps_dir(dir / "nope");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos);
  std::filesystem::remove_all(dir);
}
