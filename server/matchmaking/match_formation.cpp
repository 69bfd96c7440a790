#include "server/matchmaking/match_formation.h"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <numeric>

#include <string>
#include <unordered_map>
#include "proto/messages.h"

namespace qbot::server {
namespace {

// A unit that does not fit the group being built (too big for the seats or
// teams left) is skipped; after this many the anchor stops looking, so a queue
// full of parties cannot make one anchor scan its whole window.
constexpr int kMaxSkips = 16;

// A solo ticket or a complete party: placed whole, never split.
struct Unit {
  std::uint32_t first_member = 0;  // into `members`
  std::uint32_t size = 0;
  std::uint32_t age_rank = 0;  // smallest input index of its members (input is oldest first)
  double rating = 0.0;         // mean of its members
  double rating_sum = 0.0;
  std::uint64_t created_ms = 0;  // its oldest member's
};

struct Units {
  std::vector<Unit> units;
  std::vector<std::uint32_t> members;  // ticket indices, grouped per unit
};

std::uint64_t waited_ms(std::uint64_t created_ms, std::uint64_t now_ms) {
  return now_ms > created_ms ? now_ms - created_ms : 0;
}

// The largest party that can be placed: all seats in free-for-all, one team's otherwise.
std::uint32_t largest_unit(const FormationRules& rules) {
  return rules.teams == 0 ? rules.max_players : rules.max_players / rules.teams;
}

Units build_units(std::span<const Ticket> tickets, const FormationRules& rules) {
  Units out;
  out.units.reserve(tickets.size());
  out.members.reserve(tickets.size());
  auto add_unit = [&](std::span<const std::uint32_t> idx) {
    Unit u;
    u.first_member = static_cast<std::uint32_t>(out.members.size());
    u.size = static_cast<std::uint32_t>(idx.size());
    u.age_rank = idx.front();
    u.created_ms = tickets[idx.front()].created_ms;
    for (auto i : idx) {
      // A non-finite rating would break the sort's ordering: such a unit is never placed.
      if (!std::isfinite(tickets[i].rating)) return;
      u.rating_sum += tickets[i].rating;
      u.age_rank = std::min(u.age_rank, i);
      u.created_ms = std::min(u.created_ms, tickets[i].created_ms);
    }
    u.rating = u.rating_sum / u.size;
    out.members.insert(out.members.end(), idx.begin(), idx.end());
    out.units.push_back(u);
  };

  std::unordered_map<std::string_view, std::vector<std::uint32_t>> parties;
  for (std::uint32_t i = 0; i < tickets.size(); ++i) {
    if (tickets[i].party.empty()) {
      add_unit(std::span<const std::uint32_t>(&i, 1));
    } else {
      parties[tickets[i].party].push_back(i);
    }
  }
  const std::uint32_t largest = largest_unit(rules);
  for (auto& [code, idx] : parties) {
    const std::uint8_t size = tickets[idx.front()].party_size;
    const bool agree = std::all_of(idx.begin(), idx.end(), [&](auto i) { return tickets[i].party_size == size; });
    // Incomplete (a member missing, members disagreeing, too many tickets) or
    // never placeable: the party waits and its tickets eventually expire.
    if (!agree || size == 0 || size > kMaxPartySize || idx.size() != size || size > largest) continue;
    add_unit(idx);
  }
  return out;
}

// Can parties of these sizes be split into two teams of `team_size` seats at
// most each, with `total` seats in all (solos fill the rest)? I.e. is there a
// subset of party seats s with  party_seats - team_size <= s <= team_size.
// Subset sums as a bitset: at most 64 seats, at most 32 parties.
using SeatSums = std::bitset<kMaxMatchPlayers + 1>;

SeatSums reachable_sums(std::span<const std::uint32_t> party_sizes) {
  SeatSums reach;
  reach.set(0);
  for (auto k : party_sizes) reach |= reach << k;
  return reach;
}

std::uint32_t seats_of(std::span<const std::uint32_t> party_sizes) {
  return std::accumulate(party_sizes.begin(), party_sizes.end(), std::uint32_t{0});
}

bool parties_split(std::span<const std::uint32_t> party_sizes, std::uint32_t team_size) {
  const std::uint32_t seats = seats_of(party_sizes);
  if (seats > 2 * team_size) return false;
  const SeatSums reach = reachable_sums(party_sizes);
  for (std::uint32_t s = seats > team_size ? seats - team_size : 0; s <= team_size; ++s) {
    if (reach.test(s)) return true;
  }
  return false;
}

class Former {
 public:
  Former(std::span<const Ticket> tickets, std::uint64_t now_ms, const FormationRules& rules)
      : now_ms_(now_ms), rules_(rules), u_(build_units(tickets, rules)) {
    const auto n = static_cast<std::uint32_t>(u_.units.size());
    by_rating_.resize(n);
    std::iota(by_rating_.begin(), by_rating_.end(), 0u);
    std::sort(by_rating_.begin(), by_rating_.end(), [&](auto a, auto b) {
      const Unit& x = u_.units[a];
      const Unit& y = u_.units[b];
      return x.rating != y.rating ? x.rating < y.rating : x.age_rank < y.age_rank;
    });
    pos_.resize(n);
    for (std::uint32_t p = 0; p < n; ++p) pos_[by_rating_[p]] = p;
    // Doubly linked list over rating positions of the units still free, so a
    // neighbour search skips units already placed in O(1).
    next_.resize(n);
    prev_.resize(n);
    for (std::uint32_t p = 0; p < n; ++p) {
      next_[p] = static_cast<std::int64_t>(p) + 1;
      prev_[p] = static_cast<std::int64_t>(p) - 1;
    }
  }

  std::vector<FormedMatch> run() {
    std::vector<std::uint32_t> by_age(u_.units.size());
    std::iota(by_age.begin(), by_age.end(), 0u);
    std::sort(by_age.begin(), by_age.end(), [&](auto a, auto b) {
      const Unit& x = u_.units[a];
      const Unit& y = u_.units[b];
      return x.created_ms != y.created_ms ? x.created_ms < y.created_ms : x.age_rank < y.age_rank;
    });
    std::vector<bool> placed(u_.units.size(), false);
    std::vector<FormedMatch> out;
    for (auto anchor : by_age) {
      if (placed[anchor]) continue;
      build_group(anchor);
      if (!settle_group()) continue;
      FormedMatch m;
      const auto teams = assign_teams();
      for (std::size_t g = 0; g < group_.size(); ++g) {
        const Unit& unit = u_.units[group_[g]];
        for (std::uint32_t k = 0; k < unit.size; ++k) {
          m.seats.push_back(FormedSeat{u_.members[unit.first_member + k], teams[g]});
        }
        placed[group_[g]] = true;
        unlink(pos_[group_[g]]);
      }
      out.push_back(std::move(m));
    }
    return out;
  }

 private:
  const Unit& unit_at(std::int64_t p) const { return u_.units[by_rating_[static_cast<std::size_t>(p)]]; }
  bool in_list(std::int64_t p) const { return p >= 0 && p < static_cast<std::int64_t>(by_rating_.size()); }

  void unlink(std::uint32_t p) {
    if (in_list(prev_[p])) next_[static_cast<std::size_t>(prev_[p])] = next_[p];
    if (in_list(next_[p])) prev_[static_cast<std::size_t>(next_[p])] = prev_[p];
  }

  std::uint32_t group_seats() const {
    std::uint32_t seats = 0;
    for (auto g : group_) seats += u_.units[g].size;
    return seats;
  }

  std::vector<std::uint32_t> party_sizes_of_group() const {
    std::vector<std::uint32_t> sizes;
    for (auto g : group_) {
      if (u_.units[g].size > 1) sizes.push_back(u_.units[g].size);
    }
    return sizes;
  }

  // Whether `unit` can join the group and still leave a valid match at max_players.
  bool fits(const Unit& unit, std::uint32_t seats) const {
    if (seats + unit.size > rules_.max_players) return false;
    if (rules_.teams == 0 || unit.size == 1) return true;
    auto sizes = party_sizes_of_group();
    sizes.push_back(unit.size);
    return parties_split(sizes, rules_.max_players / 2);
  }

  // The anchor plus the closest-rated free units inside its window, in the
  // order they were taken (closest first).
  void build_group(std::uint32_t anchor) {
    group_.assign(1, anchor);
    const Unit& a = u_.units[anchor];
    const double wait_s = static_cast<double>(waited_ms(a.created_ms, now_ms_)) / 1000.0;
    const double window = rules_.initial_window + rules_.widening_per_s * wait_s;
    const double lo = a.rating - window;
    const double hi = a.rating + window;
    std::uint32_t seats = a.size;
    std::int64_t left = prev_[pos_[anchor]];
    std::int64_t right = next_[pos_[anchor]];
    int skips = 0;
    while (seats < rules_.max_players) {
      const bool l_ok = in_list(left) && unit_at(left).rating >= lo;
      const bool r_ok = in_list(right) && unit_at(right).rating <= hi;
      if (!l_ok && !r_ok) break;
      const bool take_left = l_ok && (!r_ok || a.rating - unit_at(left).rating <= unit_at(right).rating - a.rating);
      const std::int64_t p = take_left ? left : right;
      if (take_left) {
        left = prev_[static_cast<std::size_t>(left)];
      } else {
        right = next_[static_cast<std::size_t>(right)];
      }
      const Unit& u = unit_at(p);
      if (fits(u, seats)) {
        group_.push_back(by_rating_[static_cast<std::size_t>(p)]);
        seats += u.size;
      } else if (++skips > kMaxSkips) {
        break;
      }
    }
  }

  bool timed_out() const {
    std::uint64_t oldest = UINT64_MAX;
    for (auto g : group_) oldest = std::min(oldest, u_.units[g].created_ms);
    return waited_ms(oldest, now_ms_) >= rules_.fill_timeout_ms;
  }

  bool splits_evenly(std::uint32_t seats) const {
    return rules_.teams == 0 || (seats % 2 == 0 && parties_split(party_sizes_of_group(), seats / 2));
  }

  // Drops the last-taken unit (never the anchor) matching `pred`; false if none.
  template <class Pred>
  bool drop_last(Pred pred) {
    for (std::size_t g = group_.size(); g-- > 1;) {
      if (pred(u_.units[group_[g]])) {
        group_.erase(group_.begin() + static_cast<std::ptrdiff_t>(g));
        return true;
      }
    }
    return false;
  }

  // True if the group is a match now: full, or (after the fill timeout) at
  // least min_players. A smaller team match drops its farthest-rated units
  // until the seats split into two equal teams.
  bool settle_group() {
    std::uint32_t seats = group_seats();
    if (seats == rules_.max_players) return true;  // `fits` kept a full group splittable
    if (!timed_out()) return false;
    while (seats >= rules_.min_players) {
      if (splits_evenly(seats)) return timed_out();  // its oldest ticket may have been dropped
      const bool dropped = seats % 2 == 1 ? drop_last([](const Unit& u) { return u.size % 2 == 1; })
                                          : drop_last([](const Unit& u) { return u.size > 1; });
      if (!dropped) return false;
      seats = group_seats();
    }
    return false;
  }

  // Team per group entry: 0 in free-for-all; otherwise parties largest first,
  // then solos highest rating first, each onto the team with the lower rating
  // sum that still has room.
  std::vector<std::uint8_t> assign_teams() const {
    std::vector<std::uint8_t> team(group_.size(), 0);
    if (rules_.teams == 0) return team;
    const std::uint32_t team_size = group_seats() / 2;
    std::vector<std::size_t> order(group_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](auto a, auto b) {
      const Unit& x = u_.units[group_[a]];
      const Unit& y = u_.units[group_[b]];
      if (x.size != y.size) return x.size > y.size;
      return x.rating_sum != y.rating_sum ? x.rating_sum > y.rating_sum : x.age_rank < y.age_rank;
    });
    if (!greedy_teams(order, team_size, team)) party_split_teams(order, team_size, team);
    return team;
  }

  bool greedy_teams(std::span<const std::size_t> order, std::uint32_t team_size,
                    std::vector<std::uint8_t>& team) const {
    std::uint32_t seats[2] = {0, 0};
    double sum[2] = {0, 0};
    for (auto g : order) {
      const Unit& u = u_.units[group_[g]];
      const int lower = sum[0] <= sum[1] ? 0 : 1;
      int t = lower;
      if (seats[t] + u.size > team_size) t = 1 - t;
      if (seats[t] + u.size > team_size) return false;
      team[g] = static_cast<std::uint8_t>(t + 1);
      seats[t] += u.size;
      sum[t] += u.rating_sum;
    }
    return true;
  }

  // The greedy can paint itself into a corner with parties (3,3,2,2,2 into
  // 6+6): place the parties by a subset-sum split instead, then the solos by
  // rating as above.
  void party_split_teams(std::span<const std::size_t> order, std::uint32_t team_size,
                         std::vector<std::uint8_t>& team) const {
    std::vector<std::size_t> parties;
    for (auto g : order) {
      if (u_.units[group_[g]].size > 1) parties.push_back(g);
    }
    // reach[i] = seat sums reachable with the first i parties.
    std::vector<SeatSums> reach(parties.size() + 1);
    reach[0].set(0);
    std::uint32_t party_seats = 0;
    for (std::size_t i = 0; i < parties.size(); ++i) {
      const auto k = u_.units[group_[parties[i]]].size;
      reach[i + 1] = reach[i] | (reach[i] << k);
      party_seats += k;
    }
    std::uint32_t target = party_seats > team_size ? party_seats - team_size : 0;
    while (target <= team_size && !reach.back().test(target)) ++target;
    // settle_group only accepts groups where such a target exists.
    std::uint32_t seats[2] = {0, 0};
    double sum[2] = {0, 0};
    for (std::size_t i = parties.size(); i-- > 0;) {
      const Unit& u = u_.units[group_[parties[i]]];
      const bool on_one = target >= u.size && reach[i].test(target - u.size);
      if (on_one) target -= u.size;
      const int t = on_one ? 0 : 1;
      team[parties[i]] = static_cast<std::uint8_t>(t + 1);
      seats[t] += u.size;
      sum[t] += u.rating_sum;
    }
    for (auto g : order) {
      const Unit& u = u_.units[group_[g]];
      if (u.size > 1) continue;
      int t = sum[0] <= sum[1] ? 0 : 1;
      if (seats[t] + 1 > team_size) t = 1 - t;
      team[g] = static_cast<std::uint8_t>(t + 1);
      seats[t] += 1;
      sum[t] += u.rating_sum;
    }
  }

  std::uint64_t now_ms_;
  const FormationRules& rules_;
  Units u_;
  std::vector<std::uint32_t> by_rating_;   // unit ids by (rating, age)
  std::vector<std::uint32_t> pos_;         // unit id -> position in by_rating_
  std::vector<std::int64_t> next_, prev_;  // free units as a list over positions
  std::vector<std::uint32_t> group_;       // unit ids of the group being built
};

}  // namespace

bool valid_rules(const FormationRules& r) {
  return r.min_players >= 2 && r.min_players <= r.max_players && r.max_players <= kMaxMatchPlayers &&
         (r.teams == 0 || (r.teams == 2 && r.max_players % 2 == 0)) && std::isfinite(r.initial_window) &&
         r.initial_window >= 0 && std::isfinite(r.widening_per_s) && r.widening_per_s >= 0;
}

std::optional<FormationRules> rules_for_mode(std::string_view mode, std::uint32_t arena_size) {
  const auto parsed = proto::parse_game_mode(mode);
  if (!parsed) return std::nullopt;
  FormationRules r;
  if (*parsed == proto::GameMode::FreeForAll) {
    r.min_players = 2;
    r.max_players = arena_size;
    r.teams = 0;
  } else {
    r.min_players = 4;
    r.max_players = arena_size - arena_size % 2;
    r.teams = 2;
  }
  if (!valid_rules(r)) return std::nullopt;
  return r;
}

std::vector<FormedMatch> form_matches(std::span<const Ticket> tickets, std::uint64_t now_ms,
                                      const FormationRules& rules) {
  if (!valid_rules(rules) || tickets.empty()) return {};
  return Former(tickets, now_ms, rules).run();
}

}  // namespace qbot::server
