#include "server/arena/match_results.h"

#include <algorithm>

namespace qbot::server {

std::array<std::int32_t, 3> team_scores(const sim::World& world) {
  std::array<std::int32_t, 3> scores{};
  for (const sim::Bot& b : world.bots) {
    if (b.team < scores.size()) scores[b.team] += b.score;
  }
  return scores;
}

MatchResults compute_results(const sim::World& world, const std::vector<ResultPlayer>& players, proto::GameMode mode) {
  MatchResults out;
  for (const ResultPlayer& p : players) {
    const sim::Bot* b = sim::find_bot(world, p.entity);
    if (b == nullptr) continue;
    out.rows.push_back({p.player_id, p.entity, p.name, b->team, b->kills, b->deaths,
                        static_cast<std::uint32_t>(std::max(0, b->damage_dealt)), b->score, 0});
  }
  const auto better = [](const proto::PlayerResult& a, const proto::PlayerResult& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.deaths != b.deaths) return a.deaths < b.deaths;
    if (a.damage != b.damage) return a.damage > b.damage;
    return a.entity_id < b.entity_id;
  };
  if (mode == proto::GameMode::TeamDeathmatch) {
    const auto scores = team_scores(world);
    out.winner_team = scores[1] > scores[2] ? 1 : (scores[2] > scores[1] ? 2 : 0);
    const auto team_place = [&](std::uint8_t team) -> std::uint8_t {
      return (out.winner_team == 0 || team == out.winner_team) ? 1 : 2;
    };
    for (auto& r : out.rows) r.placement = team_place(r.team);
    std::sort(out.rows.begin(), out.rows.end(), [&](const auto& a, const auto& b) {
      if (a.placement != b.placement) return a.placement < b.placement;
      if (a.team != b.team) return a.team < b.team;
      return better(a, b);
    });
  } else {
    std::sort(out.rows.begin(), out.rows.end(), better);
    for (std::size_t i = 0; i < out.rows.size(); ++i)
      out.rows[i].placement = static_cast<std::uint8_t>(std::min<std::size_t>(i + 1, 255));
  }
  return out;
}

}  // namespace qbot::server
