#include "server/store/rating.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace qbot::server {
namespace {

constexpr double kTau = 0.5;             // system constant: how fast volatility may change
constexpr double kScale = 173.7178;      // Glicko <-> Glicko-2 scale (400 / ln 10)
constexpr double kEpsilon = 0.000001;    // convergence tolerance of the volatility iteration
constexpr int kMaxIterations = 100;      // the iteration converges in ~10 steps; this only guards NaN
constexpr double kScaleCenter = 1500.0;  // a Glicko rating of 1500 is mu = 0 on the Glicko-2 scale

double g(double phi) { return 1.0 / std::sqrt(1.0 + 3.0 * phi * phi / (std::numbers::pi * std::numbers::pi)); }

double expected(double mu, double mu_j, double g_j) { return 1.0 / (1.0 + std::exp(-g_j * (mu - mu_j))); }

/// Step 5: the new volatility, the root of f by the Illinois algorithm
/// (regula falsi that halves the stale end, so it cannot stall).
double new_volatility(double sigma, double phi, double v, double delta) {
  const double a = std::log(sigma * sigma);
  const double phi2 = phi * phi;
  const double delta2 = delta * delta;
  const auto f = [&](double x) {
    const double ex = std::exp(x);
    const double d = phi2 + v + ex;
    return ex * (delta2 - phi2 - v - ex) / (2.0 * d * d) - (x - a) / (kTau * kTau);
  };
  double A = a;
  double B = 0.0;
  if (delta2 > phi2 + v) {
    B = std::log(delta2 - phi2 - v);
  } else {
    int k = 1;
    while (f(a - k * kTau) < 0.0 && k < kMaxIterations) ++k;
    B = a - k * kTau;
  }
  double fA = f(A);
  double fB = f(B);
  for (int i = 0; i < kMaxIterations && std::fabs(B - A) > kEpsilon; ++i) {
    const double C = A + (A - B) * fA / (fB - fA);
    const double fC = f(C);
    // "<= 0" rather than "< 0": if C hits the root exactly, A and B meet
    // and the loop ends instead of halving fA forever.
    if (fC * fB <= 0.0) {
      A = B;
      fA = fB;
    } else {
      fA /= 2.0;
    }
    B = C;
    fB = fC;
  }
  return std::exp(A / 2.0);
}

/// Stored values are clamped when written, but a rating handed in by a
/// caller is clamped again so that no input can make the math blow up.
Rating sane(const Rating& r) {
  const Rating fresh;
  Rating out = r;
  if (!std::isfinite(out.rating)) out.rating = fresh.rating;
  out.deviation =
      std::isfinite(out.deviation) ? std::clamp(out.deviation, kMinDeviation, kMaxDeviation) : fresh.deviation;
  out.volatility =
      std::isfinite(out.volatility) ? std::clamp(out.volatility, kMinVolatility, kMaxVolatility) : fresh.volatility;
  return out;
}

}  // namespace

Rating glicko2_update(const Rating& player_in, std::span<const Opponent> opponents) {
  const Rating player = sane(player_in);
  // Step 2: to the Glicko-2 scale.
  const double mu = (player.rating - kScaleCenter) / kScale;
  const double phi = player.deviation / kScale;
  const double sigma = player.volatility;

  Rating out = player;
  out.matches = player.matches + 1;
  if (opponents.empty()) {
    // Step 6 only: no games this period, the uncertainty grows.
    out.deviation = std::clamp(std::sqrt(phi * phi + sigma * sigma) * kScale, kMinDeviation, kMaxDeviation);
    return out;
  }

  // Steps 3 and 4: estimated variance v and improvement delta.
  double v_inv = 0.0;
  double improvement = 0.0;  // sum g(phi_j) (s_j - E)
  for (const Opponent& o : opponents) {
    const Rating opp = sane(o.rating);
    const double mu_j = (opp.rating - kScaleCenter) / kScale;
    const double g_j = g(opp.deviation / kScale);
    const double e = expected(mu, mu_j, g_j);
    v_inv += g_j * g_j * e * (1.0 - e);
    improvement += g_j * (std::clamp(o.score, 0.0, 1.0) - e);
  }
  const double v = 1.0 / v_inv;
  const double delta = v * improvement;

  // Steps 5-7.
  const double sigma_new = new_volatility(sigma, phi, v, delta);
  const double phi_star = std::sqrt(phi * phi + sigma_new * sigma_new);
  const double phi_new = 1.0 / std::sqrt(1.0 / (phi_star * phi_star) + 1.0 / v);
  const double mu_new = mu + phi_new * phi_new * improvement;

  // Step 8: back to the Glicko scale.
  out.rating = mu_new * kScale + kScaleCenter;
  out.deviation = std::clamp(phi_new * kScale, kMinDeviation, kMaxDeviation);
  out.volatility = std::clamp(sigma_new, kMinVolatility, kMaxVolatility);
  return sane(out);
}

std::vector<Rating> rate_match(std::span<const RatedPlayer> players) {
  // A team's placement is its best member's: the server gives every member
  // the team's place, and this keeps teammates consistent if it did not.
  std::vector<std::uint8_t> place(players.size());
  for (std::size_t i = 0; i < players.size(); ++i) {
    place[i] = players[i].placement;
    if (players[i].team == 0) continue;
    for (const RatedPlayer& p : players) {
      if (p.team == players[i].team) place[i] = std::min(place[i], p.placement);
    }
  }
  std::vector<Rating> out;
  out.reserve(players.size());
  std::vector<Opponent> opponents;
  for (std::size_t i = 0; i < players.size(); ++i) {
    opponents.clear();
    for (std::size_t j = 0; j < players.size(); ++j) {
      if (j == i) continue;
      const bool teammates = players[i].team != 0 && players[i].team == players[j].team;
      if (teammates) continue;
      const double score = place[i] < place[j] ? 1.0 : (place[i] > place[j] ? 0.0 : 0.5);
      opponents.push_back({players[j].before, score});
    }
    out.push_back(glicko2_update(players[i].before, opponents));
  }
  return out;
}

}  // namespace qbot::server
