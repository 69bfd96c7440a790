// Glicko-2: the paper's worked example, and how matches become games.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "server/store/rating.h"

using namespace qbot;
using namespace qbot::server;

namespace {

Rating rated(double r, double rd, double vol = 0.06, std::uint32_t matches = 0) { return {r, rd, vol, matches}; }

RatedPlayer ffa(Rating r, std::uint8_t placement) { return {r, 0, placement}; }
RatedPlayer team(Rating r, std::uint8_t t, std::uint8_t placement) { return {r, t, placement}; }

}  // namespace

// Glickman, "Example of the Glicko-2 system" (2013), section "Example
// calculation": 1500/200/0.06 beats 1400/30, loses to 1550/100 and 1700/300.
TEST(Rating, ReproducesGlickmansWorkedExample) {
  const Opponent games[] = {{rated(1400, 30), 1.0}, {rated(1550, 100), 0.0}, {rated(1700, 300), 0.0}};
  const Rating after = glicko2_update(rated(1500, 200, 0.06, 7), games);
  EXPECT_NEAR(after.rating, 1464.06, 0.01);
  EXPECT_NEAR(after.deviation, 151.52, 0.01);
  EXPECT_NEAR(after.volatility, 0.05999, 0.00001);
  EXPECT_EQ(after.matches, 8u);
}

TEST(Rating, NoOpponentsOnlyGrowsTheDeviation) {
  const Rating after = glicko2_update(rated(1600, 100, 0.06, 3), {});
  EXPECT_DOUBLE_EQ(after.rating, 1600.0);
  EXPECT_DOUBLE_EQ(after.volatility, 0.06);
  // sqrt(phi^2 + sigma^2) on the Glicko-2 scale, back to the Glicko scale.
  EXPECT_NEAR(after.deviation, std::sqrt(std::pow(100.0 / 173.7178, 2) + 0.06 * 0.06) * 173.7178, 1e-9);
  EXPECT_EQ(after.matches, 4u);
}

TEST(Rating, FreeForAllWinnerUpLoserDownMiddleBetween) {
  const std::vector<RatedPlayer> match = {ffa(rated(1500, 200), 2), ffa(rated(1500, 200), 1), ffa(rated(1500, 200), 3)};
  const auto out = rate_match(match);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_GT(out[1].rating, 1500.0);          // 1st
  EXPECT_NEAR(out[0].rating, 1500.0, 1e-9);  // 2nd of three equals: one win, one loss
  EXPECT_LT(out[2].rating, 1500.0);          // 3rd
  // Symmetric: what the winner gains the loser loses.
  EXPECT_NEAR(out[1].rating - 1500.0, 1500.0 - out[2].rating, 1e-9);
  for (const Rating& r : out) {
    EXPECT_LT(r.deviation, 200.0);  // everyone played, everyone is better known
    EXPECT_EQ(r.matches, 1u);
  }
}

TEST(Rating, EqualPlacementIsADraw) {
  const std::vector<RatedPlayer> equal = {ffa(rated(1500, 100), 1), ffa(rated(1500, 100), 1)};
  auto out = rate_match(equal);
  EXPECT_NEAR(out[0].rating, 1500.0, 1e-9);
  EXPECT_NEAR(out[1].rating, 1500.0, 1e-9);
  // A draw against a stronger player gains, the stronger one loses.
  const std::vector<RatedPlayer> uneven = {ffa(rated(1400, 100), 1), ffa(rated(1700, 100), 1)};
  out = rate_match(uneven);
  EXPECT_GT(out[0].rating, 1400.0);
  EXPECT_LT(out[1].rating, 1700.0);
}

TEST(Rating, UpsetMovesMoreThanExpectedWin) {
  const std::vector<RatedPlayer> expected_win = {ffa(rated(1800, 100), 1), ffa(rated(1400, 100), 2)};
  const std::vector<RatedPlayer> upset = {ffa(rated(1800, 100), 2), ffa(rated(1400, 100), 1)};
  const auto a = rate_match(expected_win);
  const auto b = rate_match(upset);
  EXPECT_GT(b[1].rating - 1400.0, a[0].rating - 1800.0);
  EXPECT_GT(a[0].rating, 1800.0);
  EXPECT_LT(b[0].rating, 1800.0);
}

TEST(Rating, UncertainPlayersMoveMore) {
  const std::vector<RatedPlayer> match = {ffa(rated(1500, 350), 1), ffa(rated(1500, 50), 2)};
  const auto out = rate_match(match);
  EXPECT_GT(out[0].rating - 1500.0, 1500.0 - out[1].rating);
}

TEST(Rating, TeamModeTeammatesAreNotOpponents) {
  // 2 v 2: the winning team's members each beat both losers.
  const std::vector<RatedPlayer> match = {team(rated(1500, 200), 1, 1), team(rated(1500, 200), 1, 1),
                                          team(rated(1500, 200), 2, 2), team(rated(1500, 200), 2, 2)};
  const auto out = rate_match(match);
  EXPECT_GT(out[0].rating, 1500.0);
  EXPECT_DOUBLE_EQ(out[0].rating, out[1].rating);
  EXPECT_LT(out[2].rating, 1500.0);
  EXPECT_DOUBLE_EQ(out[2].rating, out[3].rating);
  // Same as a 1 v 2 per player: two wins each. Were teammates opponents
  // (a draw between them) the result would differ.
  const Opponent two_wins[] = {{rated(1500, 200), 1.0}, {rated(1500, 200), 1.0}};
  EXPECT_DOUBLE_EQ(out[0].rating, glicko2_update(rated(1500, 200), two_wins).rating);
}

TEST(Rating, TeamPlacementIsTheBestMembersPlacement) {
  // Inconsistent rows (a member of team 1 reported 3rd): the team still
  // placed 1st, so every member of team 1 beat every member of team 2.
  const std::vector<RatedPlayer> match = {team(rated(1500, 200), 1, 1), team(rated(1500, 200), 1, 3),
                                          team(rated(1500, 200), 2, 2)};
  const auto out = rate_match(match);
  EXPECT_DOUBLE_EQ(out[0].rating, out[1].rating);
  EXPECT_GT(out[1].rating, 1500.0);
  EXPECT_LT(out[2].rating, 1500.0);
}

TEST(Rating, TeamDrawChangesNoEvenRatings) {
  const std::vector<RatedPlayer> match = {team(rated(1500, 200), 1, 1), team(rated(1500, 200), 2, 1)};
  const auto out = rate_match(match);
  EXPECT_NEAR(out[0].rating, 1500.0, 1e-9);
  EXPECT_NEAR(out[1].rating, 1500.0, 1e-9);
}

TEST(Rating, DeviationAndVolatilityAreClamped) {
  // A big free-for-all (60 well-known opponents) would take a veteran's
  // deviation below 30 (about 27.5); the floor holds it at 30.
  std::vector<Opponent> many;
  for (int i = 0; i < 60; ++i) many.push_back({rated(1500, 30), i % 2 == 0 ? 1.0 : 0.0});
  const Rating veteran = glicko2_update(rated(1500, 30, 0.06), many);
  EXPECT_DOUBLE_EQ(veteran.deviation, 30.0);
  // A newcomer who does not play: the deviation cannot pass 350.
  EXPECT_DOUBLE_EQ(glicko2_update(rated(1500, 350), {}).deviation, 350.0);
  // Out-of-range input is clamped before use, so the output is in range.
  const Opponent one[] = {{rated(1500, 5000, 9.0), 1.0}};
  const Rating wild = glicko2_update(rated(1500, 1.0, 5.0), one);
  EXPECT_GE(wild.deviation, 30.0);
  EXPECT_LE(wild.deviation, 350.0);
  EXPECT_GE(wild.volatility, 0.01);
  EXPECT_LE(wild.volatility, 0.2);
  // Shocking results raise the volatility, but never past 0.2.
  Rating streaky = rated(1500, 50, 0.19);
  const Opponent upset[] = {{rated(2500, 30), 1.0}};
  const Opponent loss[] = {{rated(500, 30), 0.0}};
  for (int i = 0; i < 10; ++i) streaky = glicko2_update(glicko2_update(streaky, upset), loss);
  EXPECT_LE(streaky.volatility, 0.2);
  EXPECT_GE(streaky.volatility, 0.19);
}

TEST(Rating, NonFiniteInputCannotPoisonTheOutput) {
  constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const Opponent one[] = {{rated(kNan, kNan, kNan), 1.0}};
  const Rating out = glicko2_update(rated(kInf, kNan, kNan), one);
  EXPECT_TRUE(std::isfinite(out.rating));
  EXPECT_TRUE(std::isfinite(out.deviation));
  EXPECT_TRUE(std::isfinite(out.volatility));
}

TEST(Rating, DeterministicAndOrderIndependent) {
  const std::vector<RatedPlayer> match = {ffa(rated(1510, 80, 0.05, 4), 3), ffa(rated(1720, 120), 1),
                                          ffa(rated(1300, 300), 2), ffa(rated(1500, 200), 4)};
  const auto a = rate_match(match);
  const auto b = rate_match(match);
  EXPECT_EQ(a, b);  // bit-identical: every server computes the same ratings
  const std::vector<RatedPlayer> reversed(match.rbegin(), match.rend());
  const auto c = rate_match(reversed);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i].rating, c[a.size() - 1 - i].rating, 1e-9);
  EXPECT_EQ(a[0].matches, 5u);
}

TEST(Rating, AloneInAMatchOnlyGrowsTheDeviation) {
  const std::vector<RatedPlayer> solo = {ffa(rated(1500, 100), 1)};
  const auto out = rate_match(solo);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_DOUBLE_EQ(out[0].rating, 1500.0);
  EXPECT_GT(out[0].deviation, 100.0);
}
