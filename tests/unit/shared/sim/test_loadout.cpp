#include <gtest/gtest.h>

#include "sim/loadout.h"
#include "sim_fixture.h"

using namespace qbot;
using namespace qbot::sim;

namespace {
LoadoutRequest request() { return {"Rusty", "scout", "blaster", "laser", "shield", 0x112233}; }
std::string error_of(const LoadoutRequest& r) {
  const Catalog c = test::test_catalog();
  auto l = resolve_loadout(c, r);
  return l ? std::string("accepted") : l.error();
}
}  // namespace

TEST(Loadout, ValidRequestResolvesToCatalogIndices) {
  const Catalog c = test::test_catalog();
  auto l = resolve_loadout(c, request());
  ASSERT_TRUE(l) << l.error();
  EXPECT_EQ(l.value().chassis, test::kScout);
  EXPECT_EQ(l.value().primary, test::kBlaster);
  EXPECT_EQ(l.value().secondary, test::kLaser);
  EXPECT_EQ(l.value().module, test::kShield);
  EXPECT_EQ(loadout_cost(c, l.value()), 20 + 10 + 20 + 10);
}

TEST(Loadout, EveryFailureHasItsExactReason) {
  auto r = request();
  r.chassis = "hovercraft";
  EXPECT_EQ(error_of(r), "unknown chassis \"hovercraft\"");
  r = request();
  r.primary = "railgun";
  EXPECT_EQ(error_of(r), "unknown primary weapon \"railgun\"");
  r = request();
  r.secondary = "";
  EXPECT_EQ(error_of(r), "unknown secondary weapon \"\"");
  r = request();
  r.module = "cloak";
  EXPECT_EQ(error_of(r), "unknown module \"cloak\"");
  r = request();
  r.chassis = "tank";
  r.primary = "missiles";
  r.module = "emp";
  EXPECT_EQ(error_of(r), "over budget: cost 120 > budget 100");
  r = request();
  r.name = "";
  EXPECT_EQ(error_of(r), "bot name is empty");
  r = request();
  r.name = std::string(25, 'x');
  EXPECT_EQ(error_of(r), "bot name longer than 24 bytes");
  r = request();
  r.name = "tab\there";
  EXPECT_EQ(error_of(r), "bot name has characters that are not printable ASCII");
  r = request();
  r.paint = 0x1000000;
  EXPECT_EQ(error_of(r), "paint above 0xFFFFFF");
}

TEST(Loadout, RandomLoadoutsAlwaysFitTheBudgetAndDefaultIsCheapest) {
  const Catalog c = test::test_catalog();
  core::Rng rng(1);
  for (int i = 0; i < 1000; ++i) {
    const Loadout l = random_loadout(c, rng, "r");
    ASSERT_LE(loadout_cost(c, l), c.point_budget);
  }
  const Loadout d = default_loadout(c, "d");
  EXPECT_EQ(loadout_cost(c, d), 20 + 5 + 5 + 10);
  EXPECT_EQ(d.name, "d");
}

TEST(Loadout, BoundaryValuesAreAccepted) {
  const Catalog c = test::test_catalog();
  auto r = request();
  r.name = std::string(24, 'x');
  r.paint = 0xffffff;
  auto l = resolve_loadout(c, r);
  ASSERT_TRUE(l) << l.error();
  EXPECT_EQ(l.value().paint, 0xffffffu);
  r.name = " ~";  // the ends of printable ASCII
  EXPECT_TRUE(resolve_loadout(c, r));
}

TEST(Loadout, RequestedIdsAreQuotedSafely) {
  // The id comes from a client and goes back in a Reject and into logs.
  auto r = request();
  r.chassis = "\x1b[2J\"";
  EXPECT_EQ(error_of(r), "unknown chassis \"\\x1b[2J\\x22\"");
  r = request();
  r.module = std::string(100, 'a');
  EXPECT_EQ(error_of(r), "unknown module \"" + std::string(32, 'a') + "\"...");
}

TEST(Loadout, CatalogFindsPartsById) {
  const Catalog c = test::test_catalog();
  EXPECT_EQ(c.find_chassis("tank"), std::optional<PartIndex>(test::kTank));
  EXPECT_EQ(c.find_weapon("shotgun"), std::optional<PartIndex>(test::kShotgun));
  EXPECT_EQ(c.find_module("emp"), std::optional<PartIndex>(test::kEmp));
  EXPECT_FALSE(c.find_chassis("laser"));  // ids are per kind
  EXPECT_FALSE(c.find_weapon(""));
  EXPECT_FALSE(c.find_module("EMP"));
}

TEST(Loadout, DefaultIsDeterministicAndResolvable) {
  const Catalog c = test::test_catalog();
  const Loadout a = default_loadout(c, "x");
  EXPECT_EQ(default_loadout(c, "x"), a);
  auto resolved = resolve_loadout(c, {"x", c.chassis[a.chassis].id, c.weapons[a.primary].id, c.weapons[a.secondary].id,
                                      c.modules[a.module].id, a.paint});
  ASSERT_TRUE(resolved) << resolved.error();
  EXPECT_EQ(resolved.value(), a);
}

TEST(Loadout, RandomLoadoutsFitATightBudgetToo) {
  // Only 3 of the 200 combinations fit: the bounded redraw falls back to the
  // default loadout, which always fits.
  Catalog c = test::test_catalog();
  c.point_budget = loadout_cost(c, default_loadout(c, "d"));
  core::Rng rng(7);
  for (int i = 0; i < 200; ++i) ASSERT_LE(loadout_cost(c, random_loadout(c, rng, "r")), c.point_budget);
}

TEST(Loadout, RandomLoadoutsUseEveryPart) {
  const Catalog c = test::test_catalog();
  core::Rng rng(3);
  std::vector<int> chassis(c.chassis.size()), weapons(c.weapons.size()), modules(c.modules.size());
  for (int i = 0; i < 1000; ++i) {
    const Loadout l = random_loadout(c, rng, "r");
    ASSERT_LT(l.chassis, c.chassis.size());
    ASSERT_LT(l.primary, c.weapons.size());
    ASSERT_LT(l.secondary, c.weapons.size());
    ASSERT_LT(l.module, c.modules.size());
    ASSERT_LE(loadout_cost(c, l), c.point_budget);
    EXPECT_EQ(l.name, "r");
    chassis[l.chassis] += 1;
    weapons[l.primary] += 1;
    modules[l.module] += 1;
  }
  for (int n : chassis) EXPECT_GT(n, 0);
  for (int n : weapons) EXPECT_GT(n, 0);
  for (int n : modules) EXPECT_GT(n, 0);
}
