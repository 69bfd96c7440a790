#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>

#include "server/matchmaking/match_formation.h"

using namespace qbot;
using namespace qbot::server;

namespace {

Ticket ticket(AccountId account, double rating, std::uint64_t created_ms = 0, std::string party = "",
              std::uint8_t party_size = 1) {
  Ticket t;
  t.account = account;
  t.mode = "ffa";
  t.region = "eu";
  t.rating = rating;
  t.party = std::move(party);
  t.party_size = party_size;
  t.created_ms = created_ms;
  return t;
}

FormationRules ffa(std::uint32_t max = 8) { return *rules_for_mode("ffa", max); }
FormationRules tdm(std::uint32_t max = 8) { return *rules_for_mode("tdm", max); }

// Tickets of one match, as input indices, sorted.
std::vector<std::size_t> indices(const FormedMatch& m) {
  std::vector<std::size_t> out;
  for (auto& s : m.seats) out.push_back(s.ticket);
  std::sort(out.begin(), out.end());
  return out;
}

std::map<std::uint8_t, std::vector<std::size_t>> by_team(const FormedMatch& m) {
  std::map<std::uint8_t, std::vector<std::size_t>> out;
  for (auto& s : m.seats) out[s.team].push_back(s.ticket);
  return out;
}

double team_rating(const std::vector<Ticket>& q, const std::vector<std::size_t>& members) {
  double sum = 0;
  for (auto i : members) sum += q[i].rating;
  return sum;
}

}  // namespace

TEST(MatchFormation, RulesForModes) {
  auto f = rules_for_mode("ffa", 8);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->min_players, 2u);
  EXPECT_EQ(f->max_players, 8u);
  EXPECT_EQ(f->teams, 0);
  auto t = rules_for_mode("tdm", 8);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->min_players, 4u);
  EXPECT_EQ(t->max_players, 8u);
  EXPECT_EQ(t->teams, 2);
  EXPECT_EQ(rules_for_mode("tdm", 7)->max_players, 6u);  // two equal teams
  EXPECT_EQ(rules_for_mode("ffa", 64)->max_players, 64u);
  EXPECT_FALSE(rules_for_mode("tdm", 3).has_value());
  EXPECT_FALSE(rules_for_mode("ffa", 1).has_value());
  EXPECT_FALSE(rules_for_mode("ffa", 65).has_value());
  EXPECT_FALSE(rules_for_mode("ctf", 8).has_value());
}

TEST(MatchFormation, InvalidRulesFormNothing) {
  std::vector<Ticket> q;
  for (AccountId a = 1; a <= 8; ++a) q.push_back(ticket(a, 1500));
  auto r = ffa();
  r.min_players = 1;
  EXPECT_FALSE(valid_rules(r));
  EXPECT_TRUE(form_matches(q, 0, r).empty());
  r = tdm();
  r.max_players = 7;
  EXPECT_TRUE(form_matches(q, 0, r).empty());
  r = ffa();
  r.initial_window = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(form_matches(q, 0, r).empty());
  EXPECT_TRUE(form_matches({}, 0, ffa()).empty());
}

TEST(MatchFormation, FullMatchStartsAtOnceInFreeForAll) {
  std::vector<Ticket> q;
  for (AccountId a = 1; a <= 8; ++a) q.push_back(ticket(a, 1480 + static_cast<double>(a) * 5));
  auto out = form_matches(q, 0, ffa());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(indices(out[0]), (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  for (auto& s : out[0].seats) EXPECT_EQ(s.team, 0);
}

TEST(MatchFormation, MaxSizeSplitsABigQueueAndTheRestWaitsForTheTimeout) {
  std::vector<Ticket> q;
  for (AccountId a = 1; a <= 20; ++a) q.push_back(ticket(a, 1500));
  auto out = form_matches(q, 9'999, ffa());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].seats.size(), 8u);
  EXPECT_EQ(out[1].seats.size(), 8u);
  // The four left over start together once the oldest waited the fill timeout.
  auto later = form_matches(std::vector<Ticket>(q.begin() + 16, q.end()), 10'000, ffa());
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].seats.size(), 4u);
}

TEST(MatchFormation, SmallerMatchOnlyAfterTheFillTimeoutAndNeverBelowMin) {
  std::vector<Ticket> q{ticket(1, 1500, 1000), ticket(2, 1500, 5000), ticket(3, 1500, 6000)};
  EXPECT_TRUE(form_matches(q, 10'999, ffa()).empty());
  // The OLDEST ticket of the group decides: 1000 + 10 s.
  auto out = form_matches(q, 11'000, ffa());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seats.size(), 3u);
  // One ticket alone never plays, however long it waits.
  EXPECT_TRUE(form_matches(std::vector<Ticket>{ticket(1, 1500)}, 3'600'000, ffa()).empty());
}

TEST(MatchFormation, RatingWindowWidensWithTheAnchorsWait) {
  FormationRules pairs = ffa();
  pairs.max_players = 2;  // a full match at once when two fit the window
  const std::vector<Ticket> q{ticket(1, 1500, 0), ticket(2, 1651, 0)};
  EXPECT_TRUE(form_matches(q, 0, pairs).empty());    // 151 > 150
  EXPECT_TRUE(form_matches(q, 19, pairs).empty());   // 150 + 50 × 0.019 < 151
  EXPECT_EQ(form_matches(q, 20, pairs).size(), 1u);  // 150 + 50 × 0.020 = 151
  // Exactly on the edge of the initial window.
  EXPECT_EQ(form_matches(std::vector<Ticket>{ticket(1, 1500), ticket(2, 1650)}, 0, pairs).size(), 1u);
}

TEST(MatchFormation, TheOldestTicketsWindowAdmitsANewcomer) {
  FormationRules pairs = ffa();
  pairs.max_players = 2;
  // At 3 s ticket 1's window is ±300, so the 1800 that came at 2 s joins it,
  // although 1800's own window (±200 after 1 s) does not reach 1500.
  const std::vector<Ticket> q{ticket(1, 1500, 0), ticket(2, 1800, 2'000)};
  EXPECT_TRUE(form_matches(q, 2'999, pairs).empty());  // ±299.95
  EXPECT_EQ(form_matches(q, 3'000, pairs).size(), 1u);
}

TEST(MatchFormation, ClosestRatingsAreTakenFirst) {
  FormationRules three = ffa();
  three.max_players = 3;
  const std::vector<Ticket> q{ticket(1, 1500, 0), ticket(2, 1400, 1), ticket(3, 1620, 2), ticket(4, 1590, 3),
                              ticket(5, 1510, 4)};
  auto out = form_matches(q, 10, three);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(indices(out[0]), (std::vector<std::size_t>{0, 3, 4}));  // 1500, 1590, 1510
}

TEST(MatchFormation, FarApartRatingsDoNotMixBeforeTheWindowReaches) {
  std::vector<Ticket> q;
  for (AccountId a = 1; a <= 4; ++a) q.push_back(ticket(a, 1000));
  for (AccountId a = 5; a <= 8; ++a) q.push_back(ticket(a, 2000));
  // After the fill timeout the window is ±650: two matches of 4, not one of 8.
  auto out = form_matches(q, 10'000, ffa());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(indices(out[0]), (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(indices(out[1]), (std::vector<std::size_t>{4, 5, 6, 7}));
}

TEST(MatchFormation, CompletePartyPlaysTogether) {
  std::vector<Ticket> q{ticket(1, 1500, 0, "p", 3)};
  for (AccountId a = 2; a <= 6; ++a) q.push_back(ticket(a, 1500));
  q.push_back(ticket(7, 1500, 0, "p", 3));
  q.push_back(ticket(8, 1500, 0, "p", 3));
  auto out = form_matches(q, 0, ffa());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seats.size(), 8u);
}

TEST(MatchFormation, IncompletePartyWaits) {
  std::vector<Ticket> q{ticket(1, 1500, 0, "p", 3), ticket(2, 1500, 0, "p", 3)};  // third not queued yet
  for (AccountId a = 3; a <= 5; ++a) q.push_back(ticket(a, 1500));
  auto out = form_matches(q, 60'000, ffa());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(indices(out[0]), (std::vector<std::size_t>{2, 3, 4}));
}

TEST(MatchFormation, PartyWhoseMembersDisagreeOnItsSizeWaits) {
  const std::vector<Ticket> q{ticket(1, 1500, 0, "p", 2), ticket(2, 1500, 0, "p", 3), ticket(3, 1500, 0, "p", 3)};
  EXPECT_TRUE(form_matches(q, 60'000, ffa()).empty());
  // More tickets than the party's size is no party either.
  const std::vector<Ticket> crowd{ticket(1, 1500, 0, "q", 2), ticket(2, 1500, 0, "q", 2), ticket(3, 1500, 0, "q", 2),
                                  ticket(4, 1500)};
  EXPECT_TRUE(form_matches(crowd, 60'000, ffa()).empty());
}

TEST(MatchFormation, PartyIsOnOneTeam) {
  std::vector<Ticket> q{ticket(1, 1500, 0, "a", 2), ticket(2, 1500, 0, "b", 3), ticket(3, 1500, 0, "a", 2),
                        ticket(4, 1500, 0, "b", 3)};
  for (AccountId a = 5; a <= 7; ++a) q.push_back(ticket(a, 1500));
  q.push_back(ticket(8, 1500, 0, "b", 3));
  auto out = form_matches(q, 0, tdm());
  ASSERT_EQ(out.size(), 1u);
  std::map<std::size_t, std::uint8_t> team;
  for (auto& s : out[0].seats) team[s.ticket] = s.team;
  EXPECT_EQ(team.at(0), team.at(2));
  EXPECT_EQ(team.at(1), team.at(3));
  EXPECT_EQ(team.at(1), team.at(7));
  auto teams = by_team(out[0]);
  EXPECT_EQ(teams[1].size(), 4u);
  EXPECT_EQ(teams[2].size(), 4u);
}

TEST(MatchFormation, PartiesThatOnlySplitOneWayStillGetEqualTeams) {
  // 3+3+2+2+2 into two teams of 6: only {3,3} | {2,2,2} works, which placing
  // the largest first onto the emptier team does not find.
  FormationRules twelve = tdm(12);
  std::vector<Ticket> q;
  const char* codes[] = {"a", "b", "c", "d", "e"};
  const std::uint8_t sizes[] = {3, 3, 2, 2, 2};
  AccountId account = 1;
  for (int p = 0; p < 5; ++p) {
    for (int k = 0; k < sizes[p]; ++k) q.push_back(ticket(account++, 1500 + 10.0 * p, 0, codes[p], sizes[p]));
  }
  auto out = form_matches(q, 0, twelve);
  ASSERT_EQ(out.size(), 1u);
  auto teams = by_team(out[0]);
  ASSERT_EQ(teams.size(), 2u);
  EXPECT_EQ(teams[1].size(), 6u);
  EXPECT_EQ(teams[2].size(), 6u);
  std::map<std::string, std::set<std::uint8_t>> party_teams;
  for (auto& s : out[0].seats) party_teams[q[s.ticket].party].insert(s.team);
  for (auto& [code, t] : party_teams) EXPECT_EQ(t.size(), 1u) << code;
}

TEST(MatchFormation, PartyLargerThanATeamNeverPlays) {
  FormationRules six = tdm(6);  // teams of 3
  std::vector<Ticket> q;
  for (AccountId a = 1; a <= 4; ++a) q.push_back(ticket(a, 1500, 0, "big", 4));
  for (AccountId a = 5; a <= 6; ++a) q.push_back(ticket(a, 1500));
  EXPECT_TRUE(form_matches(q, 3'600'000, six).empty());
}

TEST(MatchFormation, TeamsAreBalancedByRating) {
  FormationRules wide = tdm();
  wide.initial_window = 1000;
  std::vector<Ticket> q;
  for (AccountId a = 1; a <= 8; ++a) q.push_back(ticket(a, 1000 + 100.0 * static_cast<double>(a)));
  auto out = form_matches(q, 0, wide);
  ASSERT_EQ(out.size(), 1u);
  auto teams = by_team(out[0]);
  ASSERT_EQ(teams[1].size(), 4u);
  ASSERT_EQ(teams[2].size(), 4u);
  // Best then worst alternation would give 0; top four vs bottom four 1600.
  EXPECT_LE(std::abs(team_rating(q, teams[1]) - team_rating(q, teams[2])), 100.0);
}

TEST(MatchFormation, TimedOutTeamMatchDropsToEqualTeams) {
  std::vector<Ticket> q;
  for (AccountId a = 1; a <= 5; ++a) q.push_back(ticket(a, 1500));
  EXPECT_TRUE(form_matches(q, 9'999, tdm()).empty());
  auto out = form_matches(q, 10'000, tdm());
  ASSERT_EQ(out.size(), 1u);
  auto teams = by_team(out[0]);
  EXPECT_EQ(teams[1].size(), 2u);
  EXPECT_EQ(teams[2].size(), 2u);
  // Three solos cannot make two teams of at least two.
  EXPECT_TRUE(form_matches(std::vector<Ticket>(q.begin(), q.begin() + 3), 60'000, tdm()).empty());
}

TEST(MatchFormation, TimedOutTeamMatchWithTwoPartiesOfThree) {
  std::vector<Ticket> q;
  for (AccountId a = 1; a <= 3; ++a) q.push_back(ticket(a, 1500, 0, "x", 3));
  for (AccountId a = 4; a <= 6; ++a) q.push_back(ticket(a, 1500, 0, "y", 3));
  q.push_back(ticket(7, 1500));
  auto out = form_matches(q, 10'000, tdm());
  ASSERT_EQ(out.size(), 1u);
  auto teams = by_team(out[0]);
  EXPECT_EQ(teams[1].size(), 3u);
  EXPECT_EQ(teams[2].size(), 3u);
  EXPECT_EQ(indices(out[0]), (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
}

TEST(MatchFormation, NonFiniteRatingIsNeverPlaced) {
  std::vector<Ticket> q{ticket(1, std::numeric_limits<double>::quiet_NaN())};
  for (AccountId a = 2; a <= 8; ++a) q.push_back(ticket(a, 1500));
  q.push_back(ticket(9, std::numeric_limits<double>::infinity()));
  auto out = form_matches(q, 60'000, ffa());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(indices(out[0]), (std::vector<std::size_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST(MatchFormation, SameInputSameOutput) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> rating(1500, 300);
  std::vector<Ticket> q;
  for (AccountId a = 1; a <= 500; ++a) q.push_back(ticket(a, rating(rng), a * 20));
  auto a = form_matches(q, 12'000, tdm());
  auto b = form_matches(q, 12'000, tdm());
  ASSERT_EQ(a.size(), b.size());
  ASSERT_FALSE(a.empty());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].seats, b[i].seats);
}

// Random queues: whatever the input, the output keeps every rule.
TEST(MatchFormation, PropertiesHoldOnRandomQueues) {
  std::size_t matches_seen = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    std::mt19937_64 rng(seed);
    const bool teams = rng() % 2 == 0;
    const auto arena = static_cast<std::uint32_t>(4 + rng() % 13);  // 4..16
    const FormationRules rules = *rules_for_mode(teams ? "tdm" : "ffa", arena);
    const std::uint64_t now = 30'000;
    std::normal_distribution<double> rating(1500, 350);
    std::vector<Ticket> q;
    const auto n = rng() % 400;
    AccountId account = 1;
    while (q.size() < n) {
      const std::uint64_t created = rng() % now;
      const double r = rating(rng);
      if (rng() % 4 != 0) {
        q.push_back(ticket(account++, r, created));
        continue;
      }
      // A party of 2..4; now and then one member missing or disagreeing on the size.
      const auto size = static_cast<std::uint8_t>(2 + rng() % 3);
      const std::string code = "p" + std::to_string(account);
      const int quirk = static_cast<int>(rng() % 8);
      for (int k = 0; k < size - (quirk == 0 ? 1 : 0); ++k) {
        const auto claimed = static_cast<std::uint8_t>(quirk == 1 && k == 0 ? size + 1 : size);
        q.push_back(ticket(account++, r + static_cast<double>(rng() % 200) - 100, created, code, claimed));
      }
    }
    // waiting_tickets returns oldest first.
    std::stable_sort(q.begin(), q.end(), [](auto& a, auto& b) { return a.created_ms < b.created_ms; });

    std::map<std::string, std::size_t> party_count;
    for (auto& t : q) {
      if (!t.party.empty()) ++party_count[t.party];
    }

    const auto out = form_matches(q, now, rules);
    std::set<std::size_t> used;
    for (const auto& m : out) {
      ++matches_seen;
      ASSERT_GE(m.seats.size(), rules.min_players) << "seed " << seed;
      ASSERT_LE(m.seats.size(), rules.max_players) << "seed " << seed;
      std::map<std::string, std::set<std::uint8_t>> party_teams;
      std::map<std::string, std::size_t> party_seats;
      std::map<std::uint8_t, std::size_t> team_sizes;
      std::uint64_t oldest = UINT64_MAX;
      double lo = 1e300, hi = -1e300;
      std::map<std::string, std::pair<double, int>> party_rating;
      for (auto& s : m.seats) {
        ASSERT_LT(s.ticket, q.size());
        ASSERT_TRUE(used.insert(s.ticket).second) << "seed " << seed << ": ticket twice";
        const Ticket& t = q[s.ticket];
        ++team_sizes[s.team];
        oldest = std::min(oldest, t.created_ms);
        if (t.party.empty()) {
          lo = std::min(lo, t.rating);
          hi = std::max(hi, t.rating);
        } else {
          party_teams[t.party].insert(s.team);
          ++party_seats[t.party];
          party_rating[t.party].first += t.rating;
          ++party_rating[t.party].second;
          ASSERT_EQ(t.party_size, party_count[t.party]) << "seed " << seed << ": party " << t.party;
        }
      }
      for (auto& [code, count] : party_seats) {
        EXPECT_EQ(count, party_count[code]) << "seed " << seed << ": party " << code << " split";
        EXPECT_EQ(party_teams[code].size(), 1u) << "seed " << seed << ": party " << code << " on two teams";
        const double mean = party_rating[code].first / party_rating[code].second;
        lo = std::min(lo, mean);
        hi = std::max(hi, mean);
      }
      if (teams) {
        ASSERT_EQ(team_sizes.size(), 2u) << "seed " << seed;
        EXPECT_EQ(team_sizes[1], team_sizes[2]) << "seed " << seed;
      } else {
        ASSERT_EQ(team_sizes.size(), 1u);
        EXPECT_EQ(team_sizes.begin()->first, 0);
      }
      // Every unit lies in the anchor's window, and no anchor's window is wider
      // than that of the match's oldest ticket.
      const double widest = rules.initial_window + rules.widening_per_s * static_cast<double>(now - oldest) / 1000.0;
      EXPECT_LE(hi - lo, 2 * widest + 1e-6) << "seed " << seed;
      if (m.seats.size() < rules.max_players) {
        EXPECT_GE(now - oldest, rules.fill_timeout_ms) << "seed " << seed << ": small match before the timeout";
      }
    }
  }
  EXPECT_GT(matches_seen, 1000u);  // the property was exercised, not vacuous
}
