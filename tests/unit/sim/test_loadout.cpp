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
