#include <gtest/gtest.h>

#include "content/catalog_loader.h"
#include "content/map_loader.h"

using namespace qbot;
using namespace qbot::content;

namespace {

std::string shipped_catalog_text() {
  auto t = read_text_file(default_data_dir() / "catalog.json");
  EXPECT_TRUE(t) << t.error().message;
  return t ? t.value() : std::string();
}

/// The shipped catalog with the first occurrence of `from` replaced.
std::string mutated(const std::string& from, const std::string& to) {
  std::string s = shipped_catalog_text();
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

}  // namespace

TEST(CatalogLoader, ShippedCatalogLoadsWithEveryRequiredPartKind) {
  auto c = load_catalog_file(default_data_dir() / "catalog.json");
  ASSERT_TRUE(c) << c.error().message;
  const sim::Catalog& cat = c.value().catalog;
  EXPECT_EQ(cat.chassis.size(), 3u);
  for (auto kind : {sim::WeaponKind::Projectile, sim::WeaponKind::Hitscan, sim::WeaponKind::Homing,
                    sim::WeaponKind::Shotgun}) {
    EXPECT_TRUE(std::any_of(cat.weapons.begin(), cat.weapons.end(), [&](const auto& w) { return w.kind == kind; }));
  }
  for (auto kind : {sim::ModuleKind::Shield, sim::ModuleKind::Dash, sim::ModuleKind::Repair, sim::ModuleKind::Emp}) {
    EXPECT_TRUE(std::any_of(cat.modules.begin(), cat.modules.end(), [&](const auto& m) { return m.kind == kind; }));
  }
  EXPECT_NE(cat.identity, 0u);
  // The binary form reads back to the same catalog.
  auto again = catalog_from_binary(c.value().binary);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again.value().identity, cat.identity);
  EXPECT_EQ(again.value().weapons.size(), cat.weapons.size());
}

struct BadCatalog {
  const char* from;
  const char* to;
  const char* expected;  // substring of the error
};

class CatalogErrors : public ::testing::TestWithParam<BadCatalog> {};

TEST_P(CatalogErrors, NameTheField) {
  const BadCatalog& b = GetParam();
  auto c = parse_catalog_json(mutated(b.from, b.to), "cat.json");
  ASSERT_FALSE(c) << "accepted: " << b.from << " -> " << b.to;
  EXPECT_NE(c.error().message.find(b.expected), std::string::npos) << c.error().message;
  EXPECT_EQ(c.error().message.rfind("cat.json", 0), 0u) << "starts with the source: " << c.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Fields, CatalogErrors,
    ::testing::Values(BadCatalog{"\"damage\": 12", "\"damage\": 0", "weapons[0].damage: must be 1..1000, got 0"},
                      BadCatalog{"\"hp\": 100", "\"hp\": 5000", "chassis[0].hp"},
                      BadCatalog{"\"armor\": 40", "\"armor\": 95", "chassis[2].armor"},
                      BadCatalog{"\"id\": \"tank\"", "\"id\": \"scout\"", "chassis[2].id: duplicate \"scout\""},
                      BadCatalog{"\"id\": \"laser\"", "\"id\": \"Laser!\"", "weapons[1].id"},
                      BadCatalog{"\"pellets\": 7", "\"pellets\": 40", "weapons[3].pellets"},
                      BadCatalog{"\"fire_interval\": 0.25", "\"fire_interval\": 0.001", "weapons[0].fire_interval"},
                      BadCatalog{"\"radius\": 8.0", "\"radius\": 0.0", "modules[3].radius"},
                      BadCatalog{"\"point_budget\": 100", "\"point_budget\": 20", "point_budget: the cheapest loadout"},
                      BadCatalog{"\"damage\": 12", "\"damage\": 12, \"dammage\": 1", "unknown field: dammage"},
                      BadCatalog{"\"kind\": \"Hitscan\"", "\"kind\": \"Railgun\"", "Railgun"},
                      BadCatalog{"\"cost\": 10 }", "\"cost\": 10 ", "error"}));

TEST(CatalogLoader, SyntaxErrorsCarryALineNumber) {
  auto c = parse_catalog_json("{\n  \"version\": 1,\n  \"chassis\": [ { \"id\": \"x\" \n", "broken.json");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("broken.json: 4"), std::string::npos) << c.error().message;
}

TEST(CatalogLoader, GarbageAndTruncatedBinariesAreRefused) {
  auto good = load_catalog_file(default_data_dir() / "catalog.json");
  ASSERT_TRUE(good);
  const auto& bin = good.value().binary;
  // (Cutting only trailing alignment padding would leave a valid buffer, so cut into the data.)
  for (std::size_t cut : {std::size_t{0}, std::size_t{3}, bin.size() / 4, bin.size() / 2}) {
    EXPECT_FALSE(catalog_from_binary({bin.data(), cut})) << "cut at " << cut;
  }
  std::vector<std::uint8_t> junk(200, 0xab);
  EXPECT_FALSE(catalog_from_binary(junk));
}

TEST(CatalogLoader, IdentityFollowsContent) {
  auto a = parse_catalog_json(shipped_catalog_text(), "a");
  auto b = parse_catalog_json(shipped_catalog_text(), "b");
  auto c = parse_catalog_json(mutated("\"damage\": 12", "\"damage\": 13"), "c");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a.value().catalog.identity, b.value().catalog.identity);
  EXPECT_NE(a.value().catalog.identity, c.value().catalog.identity);
}

TEST(MapLoader, ShippedMapsLoadSortedByName) {
  auto maps = load_maps_dir(default_data_dir() / "maps");
  ASSERT_TRUE(maps) << maps.error().message;
  ASSERT_GE(maps.value().size(), 2u);
  EXPECT_EQ(maps.value()[0].map.name, "crossfire");
  EXPECT_EQ(maps.value()[1].map.name, "foundry");
  for (const auto& m : maps.value()) {
    EXPECT_GE(m.map.spawns.size(), 8u);
    auto again = map_from_binary(m.binary);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again.value().identity, m.map.identity);
  }
}

TEST(MapLoader, ErrorsNameTheField) {
  const auto err = [](const std::string& json) {
    auto m = parse_map_json(json, "m.json");
    return m ? std::string("accepted") : m.error().message;
  };
  const std::string head = R"({"name":"t","width":64,"height":64,)";
  EXPECT_NE(err(head + R"("spawns":[]})").find("spawns: must have 1..64"), std::string::npos);
  EXPECT_NE(err(head + R"("walls":[{"min_x":10,"min_y":10,"max_x":5,"max_y":20}],"spawns":[{"x":3,"y":3}]})")
                .find("walls[0]: min must be below max"),
            std::string::npos);
  EXPECT_NE(err(head + R"("walls":[{"min_x":10,"min_y":10,"max_x":20,"max_y":20}],"spawns":[{"x":15,"y":15}]})")
                .find("spawns[0]: inside walls[0]"),
            std::string::npos);
  EXPECT_NE(err(head + R"("walls":[{"min_x":10,"min_y":10,"max_x":90,"max_y":20}],"spawns":[{"x":3,"y":3}]})")
                .find("walls[0].max_x"),
            std::string::npos);
  EXPECT_NE(err(R"({"name":"t","width":2,"height":64,"spawns":[{"x":1,"y":1}]})").find("width: must be 8..512"),
            std::string::npos);
}
