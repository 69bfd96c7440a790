// The catalog loader: the shipped catalog loads, every field is checked with
// an error that names it, the JSON parser is strict, and binary catalogs
// (as replays embed them) go through the same checks.
#include <gtest/gtest.h>

#include <cctype>
#include <ostream>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "content/catalog_loader.h"
#include "process.h"
#include "replaced.h"
#include "sim/loadout.h"

using namespace qbot;
using namespace qbot::content;

using qbot::test::replaced;

namespace {

// A small catalog the tests own (the shipped one may be rebalanced at any
// time). Values a test mutates are unique in the text. Cheapest loadout:
// scout 20 + 2 x blaster 10 + dash 5 = 45.
const std::string kChassis = R"([
    {"id": "scout", "name": "Scout", "hp": 100, "armor": 0, "max_speed": 10.0, "acceleration": 60.0,
     "turn_rate": 14.0, "radius": 0.7, "mass": 1.0, "cost": 20},
    {"id": "tank", "name": "Tank", "hp": 250, "armor": 40, "max_speed": 5.5, "acceleration": 25.0,
     "turn_rate": 5.0, "radius": 1.2, "mass": 4.0, "cost": 45}
  ])";
const std::string kWeapons = R"([
    {"id": "blaster", "name": "Blaster", "kind": "Projectile", "damage": 12, "fire_interval": 0.25,
     "spread": 0.04, "range": 35.0, "projectile_speed": 40.0, "cost": 10},
    {"id": "laser", "name": "Laser", "kind": "Hitscan", "damage": 25, "fire_interval": 0.8,
     "range": 45.0, "heat_per_shot": 0.3, "cooling": 0.5, "cost": 20},
    {"id": "missiles", "name": "Missiles", "kind": "Homing", "damage": 35, "fire_interval": 1.5,
     "range": 40.0, "projectile_speed": 18.0, "turn_rate": 3.0, "cost": 25},
    {"id": "shotgun", "name": "Shotgun", "kind": "Shotgun", "damage": 6, "fire_interval": 0.9,
     "spread": 0.35, "range": 12.0, "pellets": 7, "cost": 15}
  ])";
const std::string kModules = R"([
    {"id": "shield", "name": "Shield", "kind": "Shield", "cooldown": 12.0, "duration": 3.0, "magnitude": 60.0,
     "cost": 10},
    {"id": "dash", "name": "Dash", "kind": "Dash", "cooldown": 5.0, "duration": 0.25, "magnitude": 26.0, "cost": 5},
    {"id": "emp", "name": "EMP", "kind": "Emp", "cooldown": 18.0, "duration": 2.0, "radius": 8.0, "cost": 20}
  ])";

std::string catalog_json(const std::string& chassis = kChassis, const std::string& weapons = kWeapons,
                         const std::string& modules = kModules) {
  return "{\n  \"version\": 3,\n  \"point_budget\": 100,\n  \"chassis\": " + chassis + ",\n  \"weapons\": " + weapons +
         ",\n  \"modules\": " + modules + "\n}\n";
}

std::string error_of(const std::string& json) {
  auto c = parse_catalog_json(json, "cat.json");
  return c ? std::string("accepted") : c.error().message;
}

std::string many_modules(int n) {
  std::string list = "[";
  for (int i = 0; i < n; ++i) {
    list += std::string(i == 0 ? "" : ",") + R"({"id": "m)" + std::to_string(i) +
            R"(", "name": "M", "kind": "Shield", "cooldown": 1, "duration": 1, "cost": 1})";
  }
  return list + "]";
}

}  // namespace

TEST(CatalogLoader, ShippedCatalogHasTheDesignedParts) {
  auto file = load_catalog_file(default_data_dir() / "catalog.json");
  ASSERT_TRUE(file) << file.error().message;
  const sim::Catalog& cat = file.value().catalog;
  for (const char* id : {"scout", "striker", "tank"}) EXPECT_TRUE(cat.find_chassis(id)) << id;
  for (const char* id : {"blaster", "laser", "missiles", "shotgun"}) EXPECT_TRUE(cat.find_weapon(id)) << id;
  for (const char* id : {"shield", "dash", "repair", "emp"}) EXPECT_TRUE(cat.find_module(id)) << id;
  EXPECT_EQ(cat.weapons[*cat.find_weapon("blaster")].kind, sim::WeaponKind::Projectile);
  EXPECT_EQ(cat.weapons[*cat.find_weapon("laser")].kind, sim::WeaponKind::Hitscan);
  EXPECT_EQ(cat.weapons[*cat.find_weapon("missiles")].kind, sim::WeaponKind::Homing);
  EXPECT_EQ(cat.weapons[*cat.find_weapon("shotgun")].kind, sim::WeaponKind::Shotgun);
  EXPECT_NE(cat.identity, 0u);

  // Most combinations fit the budget, the heaviest one does not.
  const auto resolve = [&](const char* c, const char* p, const char* s, const char* m) {
    return sim::resolve_loadout(cat, {"bot", c, p, s, m, 0});
  };
  EXPECT_TRUE(resolve("striker", "blaster", "laser", "shield"));
  EXPECT_FALSE(resolve("tank", "missiles", "laser", "emp"));
}

TEST(CatalogLoader, TheTestCatalogLoadsWithEveryFieldInPlace) {
  auto file = parse_catalog_json(catalog_json(), "cat.json");
  ASSERT_TRUE(file) << file.error().message;
  const sim::Catalog& c = file.value().catalog;
  EXPECT_EQ(c.version, 3u);
  EXPECT_EQ(c.point_budget, 100);
  ASSERT_EQ(c.chassis.size(), 2u);
  EXPECT_EQ(c.chassis[1].id, "tank");
  EXPECT_EQ(c.chassis[1].hp, 250);
  EXPECT_EQ(c.chassis[1].armor, 40);
  EXPECT_FLOAT_EQ(c.chassis[1].max_speed, 5.5f);
  EXPECT_FLOAT_EQ(c.chassis[1].radius, 1.2f);
  ASSERT_EQ(c.weapons.size(), 4u);
  EXPECT_EQ(c.weapons[2].kind, sim::WeaponKind::Homing);
  EXPECT_FLOAT_EQ(c.weapons[2].turn_rate, 3.0f);
  EXPECT_EQ(c.weapons[3].pellets, 7);
  EXPECT_EQ(c.weapons[0].pellets, 1);           // schema default
  EXPECT_FLOAT_EQ(c.weapons[0].cooling, 1.0f);  // schema default
  EXPECT_FLOAT_EQ(c.weapons[1].heat_per_shot, 0.3f);
  ASSERT_EQ(c.modules.size(), 3u);
  EXPECT_EQ(c.modules[2].kind, sim::ModuleKind::Emp);
  EXPECT_FLOAT_EQ(c.modules[2].radius, 8.0f);
}

struct BadCatalog {
  const char* from;
  const char* to;
  const char* expected;  // substring of the error
};
// Test names show the expected error (letters and digits only, so ctest and
// CMake lists take them as they are), not the struct's bytes (pointers).
void PrintTo(const BadCatalog& b, std::ostream* os) {
  for (const char* c = b.expected; *c != 0; ++c) *os << (std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_');
}

class CatalogFieldErrors : public ::testing::TestWithParam<BadCatalog> {};

TEST_P(CatalogFieldErrors, NameTheField) {
  const BadCatalog& b = GetParam();
  const std::string message = error_of(replaced(catalog_json(), b.from, b.to));
  EXPECT_NE(message.find(b.expected), std::string::npos) << message;
  EXPECT_EQ(message.rfind("cat.json: ", 0), 0u) << "starts with the source: " << message;
}

INSTANTIATE_TEST_SUITE_P(
    Catalog, CatalogFieldErrors,
    ::testing::Values(
        // Catalog
        BadCatalog{"\"version\": 3", "\"version\": 0", "version: must be 1..1000000, got 0"},
        BadCatalog{"\"point_budget\": 100", "\"point_budget\": 0", "point_budget: must be 1..100000, got 0"},
        BadCatalog{"\"point_budget\": 100", "\"point_budget\": 44",
                   "point_budget: the cheapest loadout costs 45, more than the budget 44"},
        // Chassis
        BadCatalog{"\"id\": \"scout\"", "\"id\": \"Scout!\"",
                   "chassis[0].id: must be 1..24 of [a-z0-9_-], got \"Scout!\""},
        BadCatalog{"\"id\": \"scout\"", "\"id\": \"\"", "chassis[0].id: must be 1..24"},
        BadCatalog{"\"id\": \"scout\"", "\"id\": \"abcdefghijklmnopqrstuvwxy\"", "chassis[0].id: must be 1..24"},
        BadCatalog{"\"id\": \"tank\"", "\"id\": \"scout\"", "chassis[1].id: duplicate \"scout\""},
        BadCatalog{"\"name\": \"Scout\"", "\"name\": \"\"", "chassis[0].name: must be 1..32 printable ASCII"},
        BadCatalog{"\"name\": \"Scout\"", "\"name\": \"Sc\\tout\"", "chassis[0].name: must be 1..32 printable ASCII"},
        BadCatalog{"\"name\": \"Scout\"", "\"name\": \"Sc\\u00e9ut\"",
                   "chassis[0].name: must be 1..32 printable ASCII"},
        BadCatalog{"\"hp\": 100", "\"hp\": 0", "chassis[0].hp: must be 1..1000, got 0"},
        BadCatalog{"\"hp\": 250", "\"hp\": 1001", "chassis[1].hp: must be 1..1000, got 1001"},
        BadCatalog{"\"armor\": 40", "\"armor\": 81", "chassis[1].armor: must be 0..80, got 81"},
        BadCatalog{"\"armor\": 0", "\"armor\": -1", "chassis[0].armor: must be 0..80, got -1"},
        BadCatalog{"\"max_speed\": 10.0", "\"max_speed\": 0.0", "chassis[0].max_speed: must be 0.5..40, got 0"},
        BadCatalog{"\"max_speed\": 10.0", "\"max_speed\": nan", "chassis[0].max_speed: must be 0.5..40, got nan"},
        BadCatalog{"\"max_speed\": 10.0", "\"max_speed\": inf", "chassis[0].max_speed: must be 0.5..40, got inf"},
        BadCatalog{"\"acceleration\": 60.0", "\"acceleration\": 0.5", "chassis[0].acceleration: must be 1..400"},
        BadCatalog{"\"turn_rate\": 14.0", "\"turn_rate\": 51.0", "chassis[0].turn_rate: must be 0.5..50"},
        BadCatalog{"\"radius\": 1.2", "\"radius\": 2.5", "chassis[1].radius: must be 0.3..2, got 2.5"},
        BadCatalog{"\"mass\": 4.0", "\"mass\": 0.0", "chassis[1].mass: must be 0.1..100, got 0"},
        BadCatalog{"\"cost\": 45", "\"cost\": -5", "chassis[1].cost: must be 0..1000, got -5"},
        BadCatalog{"\"cost\": 45", "\"cost\": 1001", "chassis[1].cost: must be 0..1000, got 1001"},
        // Weapons
        BadCatalog{"\"id\": \"laser\"", "\"id\": \"blaster\"", "weapons[1].id: duplicate \"blaster\""},
        BadCatalog{"\"name\": \"Laser\"", "\"name\": \"Laser Laser Laser Laser Laser Laser\"",
                   "weapons[1].name: must be 1..32"},
        BadCatalog{"\"damage\": 12", "\"damage\": 0", "weapons[0].damage: must be 1..1000, got 0"},
        BadCatalog{"\"fire_interval\": 0.25", "\"fire_interval\": 0.001",
                   "weapons[0].fire_interval: must be 0.016..10"},
        BadCatalog{"\"fire_interval\": 1.5", "\"fire_interval\": 11", "weapons[2].fire_interval: must be 0.016..10"},
        BadCatalog{"\"spread\": 0.35", "\"spread\": 3.5", "weapons[3].spread: must be 0..3.14159, got 3.5"},
        BadCatalog{"\"spread\": 0.04", "\"spread\": -0.1", "weapons[0].spread: must be 0..3.14159, got -0.1"},
        BadCatalog{"\"range\": 45.0", "\"range\": 500.0", "weapons[1].range: must be 1..200, got 500"},
        BadCatalog{"\"projectile_speed\": 40.0", "\"projectile_speed\": 0.0",
                   "weapons[0].projectile_speed: must be 1..200, got 0"},
        BadCatalog{"\"range\": 45.0", "\"range\": 45.0, \"projectile_speed\": 5",
                   "weapons[1].projectile_speed: must be 0 unless kind is Projectile or Homing, got 5"},
        BadCatalog{"\"turn_rate\": 3.0", "\"turn_rate\": 0.0", "weapons[2].turn_rate: must be 0.1..50, got 0"},
        BadCatalog{"\"projectile_speed\": 40.0", "\"projectile_speed\": 40.0, \"turn_rate\": 1",
                   "weapons[0].turn_rate: must be 0 unless kind is Homing, got 1"},
        BadCatalog{"\"pellets\": 7", "\"pellets\": 17", "weapons[3].pellets: must be 1..16, got 17"},
        BadCatalog{"\"pellets\": 7", "\"pellets\": 0", "weapons[3].pellets: must be 1..16, got 0"},
        BadCatalog{"\"projectile_speed\": 40.0", "\"projectile_speed\": 40.0, \"pellets\": 3",
                   "weapons[0].pellets: must be 1 unless kind is Shotgun, got 3"},
        BadCatalog{"\"heat_per_shot\": 0.3", "\"heat_per_shot\": 1.5", "weapons[1].heat_per_shot: must be 0..1"},
        BadCatalog{"\"cooling\": 0.5", "\"cooling\": 0.0", "weapons[1].cooling: must be 0.01..10, got 0"},
        BadCatalog{"\"cost\": 25", "\"cost\": -1", "weapons[2].cost: must be 0..1000, got -1"},
        // Modules
        BadCatalog{"\"id\": \"emp\"", "\"id\": \"shield\"", "modules[2].id: duplicate \"shield\""},
        BadCatalog{"\"cooldown\": 12.0", "\"cooldown\": 0.0", "modules[0].cooldown: must be 0.1..120, got 0"},
        BadCatalog{"\"duration\": 3.0", "\"duration\": 31.0", "modules[0].duration: must be 0.016..30, got 31"},
        BadCatalog{"\"magnitude\": 60.0", "\"magnitude\": -1.0", "modules[0].magnitude: must be 0..1000, got -1"},
        BadCatalog{"\"magnitude\": 26.0", "\"magnitude\": 0.5", "modules[1].magnitude: must be 1..100, got 0.5"},
        BadCatalog{"\"radius\": 8.0", "\"radius\": 0.0", "modules[2].radius: must be 0.5..50, got 0"},
        BadCatalog{"\"magnitude\": 60.0", "\"magnitude\": 60.0, \"radius\": 3",
                   "modules[0].radius: must be 0 unless kind is Emp, got 3"},
        BadCatalog{"\"cost\": 5}", "\"cost\": 1001}", "modules[1].cost: must be 0..1000, got 1001"}));

// What the JSON parser refuses comes back with the parser's line: column.
INSTANTIATE_TEST_SUITE_P(
    Parser, CatalogFieldErrors,
    ::testing::Values(BadCatalog{"\"damage\": 12", "\"damage\": 12, \"dammage\": 1", "unknown field: dammage"},
                      BadCatalog{"\"version\": 3", "\"version\": 3, \"budget\": 1", "unknown field: budget"},
                      BadCatalog{"\"kind\": \"Hitscan\"", "\"kind\": \"Railgun\"", "Railgun"},
                      BadCatalog{"\"kind\": \"Emp\"", "\"kind\": 9",
                                 "modules[2].kind: must be Shield, Dash, Repair or Emp, got 9"},
                      BadCatalog{"\"hp\": 100", "\"hp\": 99999999999", "does not fit"},
                      BadCatalog{"\"pellets\": 7", "\"pellets\": 300", "does not fit"},
                      BadCatalog{"\"hp\": 100", "\"hp\": 100, \"hp\": 5", "hp"},
                      BadCatalog{"\"hp\": 250", "\"hp\": \"lots\"", "error"}));

TEST(CatalogLoader, PartCountsAreBounded) {
  EXPECT_NE(error_of(catalog_json("[]")).find("cat.json: chassis: must have 1..255 entries, got 0"), std::string::npos);
  const std::string no_weapons =
      "{\"version\": 1, \"point_budget\": 100, \"chassis\": " + kChassis + ", \"modules\": " + kModules + "}";
  EXPECT_NE(error_of(no_weapons).find("weapons: must have 1..255 entries, got 0"), std::string::npos);
  EXPECT_TRUE(parse_catalog_json(catalog_json(kChassis, kWeapons, many_modules(255)), "cat.json"));
  EXPECT_NE(error_of(catalog_json(kChassis, kWeapons, many_modules(256)))
                .find("modules: must have 1..255 entries, got 256"),
            std::string::npos);
}

TEST(CatalogLoader, SyntaxErrorsCarryTheLine) {
  // Line 4 is the first line the object is still open at end of input.
  const std::string message = error_of("{\n  \"version\": 1,\n  \"chassis\": [ { \"id\": \"x\" \n");
  EXPECT_EQ(message.rfind("cat.json: 4:", 0), 0u) << message;
  const std::string missing_comma = replaced(catalog_json(), "\"armor\": 40,", "\"armor\": 40");
  EXPECT_NE(error_of(missing_comma).find("cat.json: 7:"), std::string::npos) << error_of(missing_comma);
  EXPECT_NE(error_of("").find("cat.json: "), std::string::npos);
  EXPECT_NE(error_of("[1, 2]"), "accepted");
  EXPECT_NE(error_of(std::string("{\"version\": 1\0}", 16)).find("NUL"), std::string::npos);
}

TEST(CatalogLoader, DataFilesCannotCarrySchemaDirectives) {
  // flatbuffers::Parser::Parse would obey these; a data file is JSON only.
  EXPECT_NE(error_of("include \"/etc/passwd\";\n" + catalog_json()), "accepted");
  EXPECT_NE(error_of("root_type Chassis;\n" + catalog_json()), "accepted");
  EXPECT_NE(error_of(catalog_json() + "table Extra { x: int; }\n"), "accepted");
  EXPECT_NE(error_of(catalog_json() + catalog_json()), "accepted");
  EXPECT_TRUE(parse_catalog_json(catalog_json() + "// a trailing comment\n", "cat.json"));
}

TEST(CatalogLoader, BinaryRoundTripsToTheSameCatalog) {
  auto file = parse_catalog_json(catalog_json(), "cat.json");
  ASSERT_TRUE(file) << file.error().message;
  auto again = catalog_from_binary(file.value().binary);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again.value().identity, file.value().catalog.identity);
  EXPECT_EQ(catalog_to_binary(again.value()), file.value().binary);
  EXPECT_EQ(again.value().weapons[3].pellets, 7);
  EXPECT_EQ(again.value().modules[2].id, "emp");
}

TEST(CatalogLoader, GarbageTruncatedAndHugeBinariesAreRefused) {
  auto file = parse_catalog_json(catalog_json(), "cat.json");
  ASSERT_TRUE(file);
  const std::vector<std::uint8_t>& bin = file.value().binary;
  // (Cutting only trailing alignment padding could leave a valid buffer, so cut into the data.)
  for (std::size_t cut : {std::size_t{0}, std::size_t{3}, std::size_t{4}, bin.size() / 4, bin.size() / 2}) {
    auto c = catalog_from_binary({bin.data(), cut}, "replay");
    ASSERT_FALSE(c) << "cut at " << cut;
    EXPECT_EQ(c.error().message, "replay: not a valid binary catalog");
  }
  EXPECT_FALSE(catalog_from_binary(std::vector<std::uint8_t>(200, 0xab)));
  EXPECT_FALSE(catalog_from_binary(std::vector<std::uint8_t>(200, 0x00)));
  auto huge = catalog_from_binary(std::vector<std::uint8_t>(kMaxContentFileBytes + 1, 0x00));
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message.find("larger than"), std::string::npos);
  // Every single-byte flip is either refused or yields a catalog that passed every check.
  for (std::size_t i = 0; i < bin.size(); ++i) {
    std::vector<std::uint8_t> flipped = bin;
    flipped[i] ^= 0x5a;
    auto c = catalog_from_binary(flipped);
    if (c) {
      EXPECT_FALSE(c.value().chassis.empty());
      EXPECT_LE(c.value().chassis.size(), 255u);
    }
  }
}

TEST(CatalogLoader, BinaryValuesAreCheckedLikeJsonOnes) {
  auto file = parse_catalog_json(catalog_json(), "cat.json");
  ASSERT_TRUE(file);
  const sim::Catalog good = file.value().catalog;
  const auto error_of_binary = [](const sim::Catalog& c) {
    auto r = catalog_from_binary(catalog_to_binary(c), "replay");
    return r ? std::string("accepted") : r.error().message;
  };
  sim::Catalog bad = good;
  bad.weapons[1].kind = static_cast<sim::WeaponKind>(9);
  EXPECT_EQ(error_of_binary(bad), "replay: weapons[1].kind: must be Projectile, Hitscan, Homing or Shotgun, got 9");
  bad = good;
  bad.modules[0].kind = static_cast<sim::ModuleKind>(200);
  EXPECT_EQ(error_of_binary(bad), "replay: modules[0].kind: must be Shield, Dash, Repair or Emp, got 200");
  bad = good;
  bad.chassis[1].acceleration = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(error_of_binary(bad), "replay: chassis[1].acceleration: must be 1..400, got nan");
  bad = good;
  bad.chassis[0].id = std::string("sc\0ut", 5);
  EXPECT_NE(error_of_binary(bad).find("chassis[0].id"), std::string::npos);
}

TEST(CatalogLoader, IdentityFollowsContentNotFormatting) {
  const auto identity = [](const std::string& json) {
    auto c = parse_catalog_json(json, "c");
    EXPECT_TRUE(c) << c.error().message;
    return c ? c.value().catalog.identity : 0;
  };
  const std::uint64_t base = identity(catalog_json());
  EXPECT_NE(base, 0u);
  EXPECT_EQ(identity(catalog_json()), base);
  // Whitespace, comments, key order and spelling out a default change nothing.
  EXPECT_EQ(identity(replaced(catalog_json(), "\"hp\": 100, \"armor\": 0,", "\"armor\": 0,\n  \"hp\": 100,")), base);
  EXPECT_EQ(identity(replaced(catalog_json(), "\"pellets\": 7,", "\"pellets\": 7, /* spread them */")), base);
  EXPECT_EQ(identity(replaced(catalog_json(), "\"damage\": 25,", "\"damage\": 25, \"pellets\": 1,")), base);
  // Any value does.
  EXPECT_NE(identity(replaced(catalog_json(), "\"damage\": 12", "\"damage\": 13")), base);
  EXPECT_NE(identity(replaced(catalog_json(), "\"version\": 3", "\"version\": 4")), base);
  EXPECT_NE(identity(replaced(catalog_json(), "\"name\": \"Scout\"", "\"name\": \"Scout2\"")), base);
  EXPECT_NE(identity(replaced(catalog_json(), "\"radius\": 8.0", "\"radius\": 8.5")), base);
}

TEST(CatalogLoader, FileErrorsNameThePath) {
  const std::filesystem::path dir = test::temp_dir("catalog");
  auto missing = load_catalog_file(dir / "nope.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("nope.json"), std::string::npos);
  EXPECT_FALSE(load_catalog_file(dir));  // a directory
  {
    std::ofstream out(dir / "huge.json", std::ios::binary);
    out << std::string(kMaxContentFileBytes + 1, ' ');
  }
  auto huge = load_catalog_file(dir / "huge.json");
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message.find("huge.json: larger than"), std::string::npos) << huge.error().message;
  {
    std::ofstream out(dir / "bad.json", std::ios::binary);
    out << replaced(catalog_json(), "\"damage\": 12", "\"damage\": 0");
  }
  auto bad = load_catalog_file(dir / "bad.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, (dir / "bad.json").string() + ": weapons[0].damage: must be 1..1000, got 0");
  std::filesystem::remove_all(dir);
}
